import BackfillCore
import Logging
import Polygon
import Synchronization

extension LivePipeline {
    /// Minute bars of one symbol to fetch from REST, ms UTC, both ends included.
    struct RefillRequest: Sendable {
        var symbol: String
        var window: ClosedRange<Int64>
    }

    /// The minute bars of a feed gap from REST: for every subscribed ticker (a wildcard means every
    /// symbol seen so far), the bars from the last minute before the drop through the first after
    /// it, both included (a boundary minute may have reached only some symbols; the upsert makes
    /// re-reading it free).
    func refill(_ gap: FeedGap) async -> [Arrival] {
        let window = gap.lastBeforeMs...gap.firstAfterMs
        let requests = refillSymbols(gap).map { RefillRequest(symbol: $0, window: window) }
        let arrivals = await fetch(requests, what: "\(gap)")
        logger.info(
            "live: filled \(gap.missedMinutes) missed minute(s) of \(requests.count) symbol(s) with \(arrivals.count) bars from REST"
        )
        return arrivals
    }

    /// The session's earlier minutes for symbols seen live for the first time (with
    /// ``LiveIngestor/Configuration/catchUpSession``): from the session's pre-market open, or from the
    /// symbol's last stored bar when later, up to its first live bar, so the indicators continue
    /// without a hole between the backfill and the feed.
    mutating func catchUp(before arrivals: [Arrival]) async -> [Arrival] {
        guard ingestor.configuration.catchUpSession else { return [] }
        var firstLive: [String: Int64] = [:]
        for arrival in arrivals where !caughtUp.contains(arrival.symbol) {
            firstLive[arrival.symbol] = min(firstLive[arrival.symbol] ?? .max, arrival.bar.windowStartMs)
        }
        guard !firstLive.isEmpty else { return [] }
        caughtUp.formUnion(firstLive.keys)
        let requests = firstLive.keys.sorted().compactMap { symbol -> RefillRequest? in
            guard let first = firstLive[symbol], let session = validator.calendar.session(containing: first) else {
                return nil
            }
            let from = max(session.preMarketOpenMs, (tracks[symbol]?.current.lastWindowStartMs ?? .min) + 1)
            return from < first ? RefillRequest(symbol: symbol, window: from...(first - 1)) : nil
        }
        guard !requests.isEmpty else { return [] }
        let arrivals = await fetch(requests, what: "the session before the first live bar")
        logger.info("live: caught up \(requests.count) symbol(s) with \(arrivals.count) earlier bars of the session")
        return arrivals
    }

    /// Fetches each request's days from REST with bounded concurrency and keeps the bars in its
    /// window; each symbol's bars in time order, symbols sorted. A ticker whose request fails after
    /// the client's retries is logged with its range and counted; the others are kept.
    func fetch(_ requests: [RefillRequest], what: String) async -> [Arrival] {
        guard let client = ingestor.client else {
            logger.warning("live: no REST client to fill \(what)")
            return []
        }
        let logger = logger
        let fetchOne: @Sendable (RefillRequest) async -> (String, [Bar]?) = { request in
            let first = EasternTime.date(containing: request.window.lowerBound)
            guard let range = DayRange(first, EasternTime.date(containing: request.window.upperBound)) else {
                return (request.symbol, [])
            }
            do {
                let (bars, _) = try await client.aggregates(ticker: request.symbol, timeframe: .minute, range: range)
                return (request.symbol, bars.filter { request.window.contains($0.windowStartMs) })
            } catch {
                logger.error(
                    "live: cannot fill \(request.symbol) \(range) from REST: \(error)",
                    metadata: [MetadataKey.symbol: "\(request.symbol)", MetadataKey.range: "\(range)"])
                return (request.symbol, nil)
            }
        }
        var fetched: [String: [Bar]] = [:]
        var failures = 0
        await withTaskGroup(of: (String, [Bar]?).self) { group in
            var pending = requests.makeIterator()
            for _ in 0..<ingestor.configuration.refillConcurrency {
                guard let request = pending.next() else { break }
                group.addTask { await fetchOne(request) }
            }
            while let (symbol, bars) = await group.next() {
                if let bars { fetched[symbol] = bars } else { failures += 1 }
                if let request = pending.next() { group.addTask { await fetchOne(request) } }
            }
        }
        let count = failures
        ingestor.shared.withLock { $0.refillFailures += count }
        let now = ContinuousClock.now
        return fetched.keys.sorted().flatMap { symbol in
            (fetched[symbol] ?? []).map { Arrival(symbol: symbol, bar: $0, receivedAt: now, source: .refill) }
        }
    }

    /// The tickers a gap's topics name; a wildcard names every symbol the ingestor has a track for.
    private func refillSymbols(_ gap: FeedGap) -> [String] {
        let topics = gap.topics.filter { $0.channel == .minuteBars }
        if topics.contains(where: { $0.symbol == FeedTopic.wildcard }) { return tracks.keys.sorted() }
        return topics.map(\.symbol).sorted()
    }
}
