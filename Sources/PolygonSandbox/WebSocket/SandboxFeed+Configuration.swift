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

        public init(replayStartMs: Int64? = nil, speed: Double = 1, universe: [String] = Configuration.defaultUniverse)
        {
            self.replayStartMs = replayStartMs
            self.speed = speed
            self.universe = universe
        }

        public static let defaultUniverse = ["AAPL", "AMD", "AMZN", "GOOGL", "META", "MSFT", "NVDA", "TSLA"]
    }
}
