import BackfillCore

/// What a backfill plan will cost, before any request is sent (`scraper --dry-run`).
public struct PlanEstimate: Sendable, Equatable {
    public var chunks: Int
    public var requests: Int
    /// Trading sessions covered, summed over chunks.
    public var sessions: Int
    public var bars: Int
    /// JSON bytes to download (about 105 bytes a bar).
    public var bytes: Int
    /// At the configured request rate; nil when unlimited.
    public var seconds: Double?

    /// Minute bars a liquid ticker has in one extended session (Polygon sends a bar only for
    /// minutes that traded; ~960 minutes exist from 04:00 to 20:00).
    public static let minuteBarsPerSession = 800
    public static let bytesPerBar = 105

    /// - Parameters:
    ///   - requestsPerMinute: the client's budget; nil for none.
    ///   - pageLimit: bars per page (50,000 at most on Polygon).
    public init(items: [WorkItem], calendar: TradingCalendar, requestsPerMinute: Double?, pageLimit: Int = 50_000) {
        var requests = 0, sessions = 0, bars = 0
        for item in items {
            let count = calendar.sessions(in: item.range).count
            let perSession = item.timeframe.unit == .minute ? Self.minuteBarsPerSession / item.timeframe.multiplier : 1
            let itemBars = count * max(1, perSession)
            sessions += count
            bars += itemBars
            requests += max(1, (itemBars + pageLimit - 1) / pageLimit)
        }
        self.chunks = items.count
        self.requests = requests
        self.sessions = sessions
        self.bars = bars
        self.bytes = bars * Self.bytesPerBar
        self.seconds = requestsPerMinute.map { Double(requests) / $0 * 60 }
    }
}
