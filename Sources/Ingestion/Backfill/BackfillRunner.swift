import BackfillCore
import Foundation
import Logging
import MessageBus
import Polygon
import Storage
import Synchronization

/// Runs a backfill: plans the missing chunks, fetches them with bounded concurrency, stores each
/// chunk in one transaction with its coverage, then publishes that it was stored.
public struct BackfillRunner: Sendable {
    public let client: RESTClient
    public let store: any BarStore
    public let bus: (any MessageBus)?
    public let logger: Logger

    public init(client: RESTClient, store: any BarStore, bus: (any MessageBus)? = nil, logger: Logger) {
        self.client = client
        self.store = store
        self.bus = bus
        self.logger = logger
    }

    /// Runs `request` to the end, or until the task is cancelled.
    /// - Parameter onProgress: called after planning and after every chunk, from any task.
    public func run(
        _ request: BackfillRequest, onProgress: @escaping @Sendable (BackfillProgress) -> Void = { _ in }
    ) async throws -> BackfillReport {
        let started = ContinuousClock.now
        let (items, covered) = try await BackfillPlanner(store: store).plan(request)
        let tally = Tally(items: items)
        let snapshot: @Sendable () -> BackfillProgress = {
            var progress = tally.progress(client: client.statistics, elapsed: ContinuousClock.now - started)
            progress.rateBudget = client.rateBudget
            return progress
        }
        await emit(snapshot(), onProgress)
        await withTaskGroup(of: Void.self) { outer in
            // A heartbeat keeps elapsed time and rates moving while slow chunks (a free key's
            // 12 s between requests) are in flight.
            outer.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(500))
                    if !Task.isCancelled { await self.emit(snapshot(), onProgress) }
                }
            }
            await runItems(items, request: request, tally: tally, onProgress: onProgress, snapshot: snapshot)
            outer.cancelAll()
        }
        if request.enrich && !request.allTickers && !Task.isCancelled {
            try await enrich(request, tally: tally)
        }
        let progress = snapshot()
        let failures = tally.failures
        let status: BackfillReport.Status =
            Task.isCancelled ? .interrupted : (failures.isEmpty ? .completed : .failed)
        return BackfillReport(
            status: status, tickers: request.tickers, progress: progress, barsByTimeframe: tally.receivedByTimeframe,
            changedByTimeframe: tally.changedByTimeframe, failures: failures, alreadyCovered: covered)
    }

    /// Brings every symbol's saved indicator state up to its last stored bar, in time order.
    private func enrich(_ request: BackfillRequest, tally: Tally) async throws {
        let enricher = Enricher(store: store)
        for timeframe in request.timeframes {
            for symbol in request.tickers {
                let earliest = tally.earliestWritten(symbol: symbol, timeframe: timeframe)
                let fed = try await enricher.enrich(
                    symbol: symbol, timeframe: timeframe,
                    earliestWrittenMs: earliest.map { EasternTime.utcMilliseconds(on: $0, minutesAfterMidnight: 0) })
                logger.debug(
                    "indicators up to date", metadata: [MetadataKey.symbol: "\(symbol)", MetadataKey.rows: "\(fed)"])
            }
        }
    }

    private func runItems(
        _ items: [WorkItem], request: BackfillRequest, tally: Tally,
        onProgress: @escaping @Sendable (BackfillProgress) -> Void, snapshot: @escaping @Sendable () -> BackfillProgress
    ) async {
        await withTaskGroup(of: Void.self) { group in
            var pending = items.makeIterator()
            func addNext() -> Bool {
                guard let item = pending.next() else { return false }
                group.addTask { await self.perform(item, tally: tally, onProgress: onProgress, snapshot: snapshot) }
                return true
            }
            for _ in 0..<request.concurrency where !addNext() { break }
            while await group.next() != nil {
                if Task.isCancelled {
                    group.cancelAll()
                    continue
                }
                // The database stayed away past its deadline: the chunks left would wait for it in turn.
                if tally.isStopped { continue }
                _ = addNext()
            }
        }
    }

    /// One chunk through the FileTask lifecycle: fetch, store, publish; run once more at this level
    /// when the client's own HTTP retries were not enough and the failure may pass.
    func perform(
        _ item: WorkItem, tally: Tally, onProgress: @Sendable (BackfillProgress) -> Void,
        snapshot: @Sendable () -> BackfillProgress
    ) async {
        switch await attempt(item) {
        case .stored(let outcome, let writeSeconds):
            tally.recordStoreWrite(seconds: writeSeconds)
            tally.succeeded(item, outcome)
            await publishStored(item, outcome)
        case .failed(let message, let storeUnreachable):
            tally.failed(item, message: message)
            if storeUnreachable { tally.stopStarting() }
        case .cancelled:
            return
        }
        var progress = snapshot()
        progress.lastItem = item.description
        await emit(progress, onProgress)
    }

    /// What became of one chunk.
    enum ChunkResult: Sendable {
        /// Stored; `writeSeconds` is how long the store write took.
        case stored(WriteOutcome, writeSeconds: Double)
        /// Failed for good; `storeUnreachable` when the database stayed away past its retry deadline,
        /// which every later chunk would meet too.
        case failed(message: String, storeUnreachable: Bool)
        case cancelled
    }

    /// Fetches and stores one chunk, once more when the failure may pass.
    func attempt(_ item: WorkItem) async -> ChunkResult {
        var task = FileTask(maxAttempts: 2)
        while !task.isFinished {
            if Task.isCancelled { return .cancelled }
            do {
                _ = try task.apply(.start)
                let (outcome, writeSeconds): (WriteOutcome, Double)
                if item.symbol == BarStoreSymbols.allTickers {
                    (outcome, writeSeconds) = try await fetchAndStoreMarketDay(item, task: &task)
                } else {
                    let (bars, _) = try await client.aggregates(
                        ticker: item.symbol, timeframe: item.timeframe, range: item.range)
                    _ = try task.apply(.downloaded)
                    let batch = BarBatch(symbol: item.symbol, timeframe: item.timeframe, bars: bars)
                    (outcome, writeSeconds) = try await Self.timed {
                        try await store.write(batch, covering: item.completes)
                    }
                }
                _ = try task.apply(.processed(rows: outcome.changed))
                return .stored(outcome, writeSeconds: writeSeconds)
            } catch {
                if Task.isCancelled || error is CancellationError { return .cancelled }
                let unreachable = (error as? StorageError)?.code == .unreachable
                let retryable = !unreachable && ((error as? PolygonError)?.isRetryable ?? false)
                if case .giveUp = try? task.apply(.failed(message: String(describing: error), retryable: retryable)) {
                    logger.error(
                        "chunk failed", metadata: [MetadataKey.task: "\(item)", MetadataKey.reason: "\(error)"])
                    return .failed(message: String(describing: error), storeUnreachable: unreachable)
                }
            }
        }
        return .cancelled
    }

    /// A whole-market day: one grouped-daily request, every ticker's daily bar restamped from
    /// Polygon's 16:00 close to the 00:00 New York window start daily bars use, one transaction.
    private func fetchAndStoreMarketDay(_ item: WorkItem, task: inout FileTask) async throws -> (WriteOutcome, Double) {
        let bars = try await client.groupedDaily(item.range.first)
        _ = try task.apply(.downloaded)
        let start = EasternTime.utcMilliseconds(on: item.range.first, minutesAfterMidnight: 0)
        let batches = bars.compactMap { bar -> BarBatch? in
            guard let ticker = bar.ticker, Symbol.problem(with: ticker) == nil else { return nil }
            var daily = bar.bar
            daily.windowStartMs = start
            return BarBatch(symbol: ticker, timeframe: .day, bars: [daily])
        }
        let mark = item.completes.map {
            CoverageMark(symbol: BarStoreSymbols.allTickers, timeframe: .day, range: $0, source: .groupedDaily)
        }
        return try await Self.timed { try await store.write(batches, marking: mark) }
    }

    /// Runs `body` and says how long it took, seconds.
    static func timed<T>(_ body: () async throws -> T) async throws -> (T, Double) {
        let started = ContinuousClock.now
        let value = try await body()
        return (value, (ContinuousClock.now - started).inSeconds)
    }

    /// Hands progress to the caller and to the bus (`backfill.progress`, JSON) for other watchers.
    func emit(_ progress: BackfillProgress, _ onProgress: @Sendable (BackfillProgress) -> Void) async {
        onProgress(progress)
        await progress.publish(on: bus)
    }

    func publishStored(_ item: WorkItem, _ outcome: WriteOutcome) async {
        guard let bus, outcome.received > 0 else { return }
        await StoredChunkNotice(
            symbol: item.symbol, timeframe: item.timeframe.description, from: item.range.first.description,
            to: item.range.last.description, received: outcome.received, changed: outcome.changed
        ).publish(on: bus)
    }
}

/// Shared counters of a run, updated by the chunk tasks.
final class Tally: Sendable {
    private struct State {
        var done = 0, failed = 0, received = 0, changed = 0
        var phases: [PhaseProgress] = []
        var lastError: String?
        var receivedByTimeframe: [String: Int] = [:]
        var changedByTimeframe: [String: Int] = [:]
        var failures: [BackfillFailure] = []
        var earliest: [String: LocalDate] = [:]
        var stopped = false
        var storeWrites = LatencyHistogram()
    }

    private let state = Mutex(State())
    let total: Int

    init(items: [WorkItem]) {
        total = items.count
        var phases: [PhaseProgress] = []
        for item in items {
            let name = Tally.phase(of: item)
            if let index = phases.firstIndex(where: { $0.name == name }) {
                phases[index].total += 1
            } else {
                phases.append(PhaseProgress(name: name, total: 1))
            }
        }
        state.withLock { $0.phases = phases }
    }

    /// The backfill phase an item belongs to (`daily`, `minute`).
    static func phase(of item: WorkItem) -> String {
        item.timeframe.unit == .day || item.timeframe.unit == .week
            ? BackfillPhase.daily.rawValue : BackfillPhase.minute.rawValue
    }

    func succeeded(_ item: WorkItem, _ outcome: WriteOutcome) {
        state.withLock {
            $0.done += 1
            let name = Tally.phase(of: item)
            if let index = $0.phases.firstIndex(where: { $0.name == name }) { $0.phases[index].done += 1 }
            $0.received += outcome.received
            $0.changed += outcome.changed
            $0.receivedByTimeframe[item.timeframe.description, default: 0] += outcome.received
            $0.changedByTimeframe[item.timeframe.description, default: 0] += outcome.changed
            if outcome.changed > 0 {
                let key = "\(item.symbol) \(item.timeframe)"
                $0.earliest[key] = min($0.earliest[key] ?? item.range.first, item.range.first)
            }
        }
    }

    /// The first day of the earliest chunk that stored new or changed bars for a symbol and timeframe.
    func earliestWritten(symbol: String, timeframe: Timeframe) -> LocalDate? {
        state.withLock { $0.earliest["\(symbol) \(timeframe)"] }
    }

    func failed(_ item: WorkItem, message: String) {
        state.withLock {
            $0.failed += 1
            let name = Tally.phase(of: item)
            if let index = $0.phases.firstIndex(where: { $0.name == name }) { $0.phases[index].failed += 1 }
            $0.lastError = "\(item): \(message)"
            $0.failures.append(BackfillFailure(item: item.description, message: message))
        }
    }

    /// A store write that took `seconds`.
    func recordStoreWrite(seconds: Double) {
        state.withLock { $0.storeWrites.record(seconds: seconds) }
    }

    /// Chunks stored so far.
    var doneCount: Int { state.withLock { $0.done } }

    /// No more chunks are to be started (the store is unreachable).
    func stopStarting() { state.withLock { $0.stopped = true } }
    var isStopped: Bool { state.withLock { $0.stopped } }

    var failures: [BackfillFailure] { state.withLock { $0.failures } }
    var receivedByTimeframe: [String: Int] { state.withLock { $0.receivedByTimeframe } }
    var changedByTimeframe: [String: Int] { state.withLock { $0.changedByTimeframe } }

    func progress(client: RESTClient.Statistics, elapsed: Duration) -> BackfillProgress {
        state.withLock { state in
            var progress = BackfillProgress()
            progress.itemsTotal = total
            progress.itemsDone = state.done
            progress.itemsFailed = state.failed
            progress.phases = state.phases
            progress.lastError = state.lastError
            progress.barsReceived = state.received
            progress.barsChanged = state.changed
            progress.requests = client.requests
            progress.retries = client.retries
            progress.rateLimited = client.rateLimited
            progress.bytes = client.bytes
            progress.requestLatency = client.latency
            progress.storeWriteLatency = state.storeWrites
            progress.elapsedSeconds = elapsed.inSeconds
            return progress
        }
    }
}
