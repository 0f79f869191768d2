import BackfillCore

extension SandboxFeed {
    /// How the sandbox's WebSocket feed streams: the present, or a replay at a chosen speed.
    public struct Configuration: Sendable {
        /// The market instant (ms UTC) the replay starts at when the sandbox starts; nil streams
        /// the present as the sandbox's `nowMs` gives it.
        public var replayStartMs: Int64?
        /// Market seconds per real second for a replay: 1 is real time, 600 plays a minute every
        /// 0.1 s. Ignored when `replayStartMs` is nil.
        public var speed: Double
        /// The tickers a wildcard subscription (`AM.*`) streams, since a synthetic market has no
        /// end of tickers.
        public var universe: [String]
        /// Sends minutes on demand (re-broadcasts, bursts) beside the replay; nil for none.
        public var trigger: SandboxFeedTrigger?

        public init(
            replayStartMs: Int64? = nil, speed: Double = 1, universe: [String] = Configuration.defaultUniverse,
            trigger: SandboxFeedTrigger? = nil
        ) {
            self.replayStartMs = replayStartMs
            self.speed = speed
            self.universe = universe
            self.trigger = trigger
        }

        public static let defaultUniverse = ["AAPL", "AMD", "AMZN", "GOOGL", "META", "MSFT", "NVDA", "TSLA"]
    }
}

extension SandboxFeed.Configuration {
    /// Parses a replay start given in New York time: `2025-01-06` (09:30 that day) or
    /// `2025-01-06T04:00` (03:00 to 23:59, the hours a market day can use).
    /// - Returns: the instant in ms UTC, or nil when the text is not such a date or time.
    public static func replayStartMs(newYorkTime text: String) -> Int64? {
        let parts = text.split(separator: "T", maxSplits: 1, omittingEmptySubsequences: false)
        guard let date = LocalDate(parts[0]) else { return nil }
        guard parts.count == 2 else { return EasternTime.utcMilliseconds(on: date, minutesAfterMidnight: 570) }
        let clock = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 2, clock.allSatisfy({ $0.count == 2 }), let hour = Int(clock[0]),
            let minute = Int(clock[1]),
            (3..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        return EasternTime.utcMilliseconds(on: date, minutesAfterMidnight: hour * 60 + minute)
    }
}
