import BackfillCore
import Logging
import MessageBus
import Polygon
import Storage
import Synchronization

/// The ingesting task's state: one ``IndicatorTrack`` per symbol, the validator, the sessions
/// already reported. Owned by that one task, never shared.
struct LivePipeline {
    /// A bar on its way to the store.
    struct Arrival {
        var symbol: String
        var bar: Bar
        var receivedAt: ContinuousClock.Instant
        var source: LiveBarMessage.Source
    }

    let ingestor: LiveIngestor
    var tracks: [String: IndicatorTrack] = [:]
    let validator: BarValidator
    /// An engine before its first bar, in the configured set.
    let freshEngine: IndicatorEngine
    var horizonMs: Int64 { ingestor.configuration.revisionHorizonMs }
    var sessions: Set<LiveSessionRecord> = []
    /// Symbols whose session before their first live bar has been fetched (or needed nothing).
    var caughtUp: Set<String> = []
    var lastSave = ContinuousClock.now

    var logger: Logger { ingestor.logger }
    var store: any BarStore { ingestor.store }

    /// Loads the saved indicator states of `symbols` (nil: every symbol with stored minute bars).
    init(ingestor: LiveIngestor, symbols: [String]?) async throws {
        self.ingestor = ingestor
        self.validator = BarValidator(calendar: TradingCalendar(), configuration: .init(timeframe: .minute))
        self.freshEngine = try IndicatorEngine(configuration: ingestor.configuration.indicators)
        let names: [String]
        if let symbols {
            names = symbols
        } else {
            names = try await ingestor.store.inventory().filter { $0.timeframe == Timeframe.minute.description }
                .map(\.symbol)
        }
        for symbol in names {
            tracks[symbol] = try await restore(symbol)
        }
    }

    /// Takes one batch of inbox items: bars up to each gap are stored together, each gap is filled
    /// from REST before the bars after it.
    mutating func handle(_ items: [LiveInbox.Item]) async throws {
        var arrivals: [Arrival] = []
        arrivals.reserveCapacity(items.count)
        for item in items {
            switch item {
            case .bar(let aggregate, let receivedAt):
                arrivals.append(
                    Arrival(symbol: aggregate.symbol, bar: aggregate.bar, receivedAt: receivedAt, source: .live))
            case .gap(let gap):
                try await processLive(arrivals)
                arrivals.removeAll(keepingCapacity: true)
                ingestor.shared.withLock { $0.gaps += 1 }
                try await process(await refill(gap))
            }
        }
        try await processLive(arrivals)
        if ContinuousClock.now - lastSave
            >= .milliseconds(Int64(ingestor.configuration.stateSaveIntervalSeconds * 1_000))
        {
            try await saveStates(final: false)
        }
    }

    /// Live bars, after the earlier minutes of the session for symbols seen for the first time.
    private mutating func processLive(_ arrivals: [Arrival]) async throws {
        guard !arrivals.isEmpty else { return }
        try await process(await catchUp(before: arrivals))
        try await process(arrivals)
    }

    /// Validates, applies indicators, stores (one transaction per `maxBarsPerTransaction` bars), then
    /// publishes each stored bar after its commit, in arrival order.
    mutating func process(_ arrivals: [Arrival]) async throws {
        let size = ingestor.configuration.maxBarsPerTransaction
        var start = 0
        while start < arrivals.count {
            try await processChunk(arrivals[start..<min(start + size, arrivals.count)])
            start += size
        }
    }

    private mutating func processChunk(_ arrivals: ArraySlice<Arrival>) async throws {
        guard let source = arrivals.first?.source else { return }
        var tally = LiveStatistics()
        var bySymbol: [String: [Bar]] = [:]
        var messages: [(LiveBarMessage, ContinuousClock.Instant)] = []
        messages.reserveCapacity(arrivals.count)
        for arrival in arrivals {
            if arrival.source == .live { tally.received += 1 }
            var check = validator
            if case .quarantined(let bad) = check.validate(arrival.bar) {
                quarantine(arrival.symbol, bad, into: &tally)
                continue
            }
            let (update, values, bar) = applyIndicators(arrival.symbol, arrival.bar)
            switch update {
            case .appended: break
            case .revised: tally.revised += 1
            case .late: tally.late += 1
            }
            Self.upsert(bar, into: &bySymbol[arrival.symbol, default: []])
            let message = LiveBarMessage(
                symbol: arrival.symbol, bar: bar, indicators: values, source: arrival.source,
                revised: update != .appended)
            messages.append((message, arrival.receivedAt))
            tally.lastBarMs = max(tally.lastBarMs ?? bar.windowStartMs, bar.windowStartMs)
        }
        try await write(bySymbol, source: source, into: &tally)
        for (message, receivedAt) in messages {
            await ingestor.bus.publish(message.busMessage)
            if let onPublished = ingestor.configuration.onPublished {
                onPublished(LivePublication(message: message, receivedAt: receivedAt, publishedAt: .now))
            }
        }
        tally.published = messages.count
        ingestor.shared.withLock { $0.add(tally) }
    }

    private mutating func applyIndicators(_ symbol: String, _ bar: Bar) -> (
        IndicatorTrack.Update, IndicatorEngine.Values?, Bar
    ) {
        let (engine, horizon) = (freshEngine, horizonMs)
        return tracks[symbol, default: IndicatorTrack(engine: engine, horizonMs: horizon)].apply(bar)
    }

    /// One transaction for every symbol's bars; no coverage mark (a live day is never complete).
    private mutating func write(
        _ bySymbol: [String: [Bar]], source: LiveBarMessage.Source, into tally: inout LiveStatistics
    ) async throws {
        guard !bySymbol.isEmpty else { return }
        let batches = bySymbol.map { BarBatch(symbol: $0.key, timeframe: .minute, bars: $0.value) }
        let outcome = try await store.write(batches, source: source == .live ? .live : .rest)
        tally.stored = outcome.received
        tally.changed = outcome.changed
        tally.unchanged = outcome.received - outcome.changed
        tally.transactions = 1
        if source == .refill { tally.refilled = outcome.received }
        reportSessions(batches, source: source == .live ? .live : .rest)
    }

    /// Adds `bar` to a symbol's batch, replacing an earlier version of the same minute (one
    /// statement must not upsert a row twice).
    static func upsert(_ bar: Bar, into bars: inout [Bar]) {
        if let index = bars.lastIndex(where: { $0.windowStartMs == bar.windowStartMs }) {
            bars[index] = bar
        } else {
            bars.append(bar)
        }
    }

    private func quarantine(_ symbol: String, _ bad: QuarantinedBar, into tally: inout LiveStatistics) {
        logger.warning(
            "live: quarantined a bar of \(symbol): \(bad.message)",
            metadata: [MetadataKey.symbol: "\(symbol)", MetadataKey.reason: "\(bad.reason.rawValue)"])
        tally.quarantined += 1
        tally.recentQuarantine.append(LiveQuarantine(symbol: symbol, bar: bad))
    }

    private mutating func reportSessions(_ batches: [BarBatch], source: BarSource) {
        guard let onSession = ingestor.configuration.onSession else { return }
        for batch in batches {
            for bar in batch.bars {
                let record = LiveSessionRecord(
                    symbol: batch.symbol, session: EasternTime.date(containing: bar.windowStartMs), source: source)
                if sessions.insert(record).inserted { onSession(record) }
            }
        }
    }
}

extension LiveStatistics {
    /// Adds one batch's counts.
    mutating func add(_ other: LiveStatistics) {
        received += other.received
        stored += other.stored
        changed += other.changed
        unchanged += other.unchanged
        published += other.published
        quarantined += other.quarantined
        revised += other.revised
        late += other.late
        transactions += other.transactions
        refilled += other.refilled
        refillFailures += other.refillFailures
        if let last = other.lastBarMs { lastBarMs = max(lastBarMs ?? last, last) }
        recentQuarantine = Array((recentQuarantine + other.recentQuarantine).suffix(Self.quarantineKept))
    }
}
