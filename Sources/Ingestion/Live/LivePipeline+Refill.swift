import BackfillCore
import Logging
import Polygon
import Synchronization

extension LivePipeline {
    /// The minute bars of a feed gap from REST: for every subscribed ticker (a wildcard means every
    /// symbol seen so far), the bars from the last minute before the drop through the first after
    /// it, both included (a boundary minute may have reached only some symbols; the upsert makes
    /// re-reading it free). Each symbol's bars come in time order. A ticker whose request fails
    /// after the client's retries is logged with its range and counted; the others are kept.
    func refill(_ gap: FeedGap) async -> [Arrival] {
        guard let client = ingestor.client else {
            logger.warning("live: no REST client to fill \(gap)")
            return []
        }
        let symbols = refillSymbols(gap)
        let first = EasternTime.date(containing: gap.lastBeforeMs)
        guard !symbols.isEmpty, let range = DayRange(first, EasternTime.date(containing: gap.firstAfterMs)) else {
            return []
        }
        let window = gap.lastBeforeMs...gap.firstAfterMs
        let logger = logger
        let limit = ingestor.configuration.refillConcurrency
        var fetched: [String: [Bar]] = [:]
        var failures = 0
        await withTaskGroup(of: (String, [Bar]?).self) { group in
            var pending = symbols.makeIterator()
            let fetch: @Sendable (String) async -> (String, [Bar]?) = { symbol in
                do {
                    let (bars, _) = try await client.aggregates(ticker: symbol, timeframe: .minute, range: range)
                    return (symbol, bars.filter { window.contains($0.windowStartMs) })
                } catch {
                    logger.error(
                        "live: cannot fill the gap of \(symbol) \(range): \(error)",
                        metadata: [MetadataKey.symbol: "\(symbol)", MetadataKey.range: "\(range)"])
                    return (symbol, nil)
                }
            }
            for _ in 0..<limit {
                guard let symbol = pending.next() else { break }
                group.addTask { await fetch(symbol) }
            }
            while let (symbol, bars) = await group.next() {
                if let bars { fetched[symbol] = bars } else { failures += 1 }
                if let next = pending.next() { group.addTask { await fetch(next) } }
            }
        }
        let count = failures
        ingestor.shared.withLock { $0.refillFailures += count }
        let now = ContinuousClock.now
        let arrivals = fetched.keys.sorted().flatMap { symbol in
            (fetched[symbol] ?? []).map { Arrival(symbol: symbol, bar: $0, receivedAt: now, source: .refill) }
        }
        logger.info(
            "live: filled \(gap.missedMinutes) missed minute(s) of \(fetched.count) symbol(s): \(arrivals.count) bars from REST"
        )
        return arrivals
    }

    /// The tickers a gap's topics name; a wildcard names every symbol the ingestor has a track for.
    private func refillSymbols(_ gap: FeedGap) -> [String] {
        let topics = gap.topics.filter { $0.channel == .minuteBars }
        if topics.contains(where: { $0.symbol == FeedTopic.wildcard }) { return tracks.keys.sorted() }
        return topics.map(\.symbol).sorted()
    }
}
