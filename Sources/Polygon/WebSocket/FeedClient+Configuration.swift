import BackfillCore

extension FeedClient {
    /// Where and how the feed connects.
    public struct Configuration: Sendable {
        /// Real-time stocks feed.
        public static let realTimeURL = "wss://socket.polygon.io/stocks"
        /// 15-minute delayed stocks feed.
        public static let delayedURL = "wss://delayed.polygon.io/stocks"

        /// The feed's WebSocket URL, market path included (`wss://socket.polygon.io/stocks`,
        /// `ws://127.0.0.1:8089/stocks`).
        public var url: String
        public var apiKey: String
        /// Topics to subscribe from the start (more can be added with ``FeedClient/subscribe(_:)``).
        public var topics: [FeedTopic]
        /// A ping is sent every interval; a connection whose pong has not come back by the next
        /// ping is closed and reconnected, so a dead link is noticed within two intervals.
        public var pingInterval: Duration
        /// Longest wait from opening the socket to `auth_success`.
        public var handshakeTimeout: Duration
        /// Backoff between reconnects; its `maxAttempts` failed attempts in a row end the feed.
        public var reconnect: RetryPolicy
        /// Events held for a slow consumer; beyond it the oldest are dropped (and counted).
        public var bufferSize: Int
        /// Largest frame accepted, bytes (a wildcard minute can carry thousands of bars).
        public var maxFrameBytes: Int
        /// Seed of the backoff jitter; nil draws one at random. Fix it to replay a run's reconnect
        /// delays exactly.
        public var jitterSeed: UInt64?

        public init(
            url: String = Configuration.realTimeURL, apiKey: String, topics: [FeedTopic] = [],
            pingInterval: Duration = .seconds(25), handshakeTimeout: Duration = .seconds(10),
            reconnect: RetryPolicy = FeedStateMachine.defaultPolicy, bufferSize: Int = 10_000,
            maxFrameBytes: Int = 16 << 20, jitterSeed: UInt64? = nil
        ) {
            self.url = url
            self.apiKey = apiKey
            self.topics = topics
            self.pingInterval = pingInterval
            self.handshakeTimeout = handshakeTimeout
            self.reconnect = reconnect
            self.bufferSize = max(1, bufferSize)
            self.maxFrameBytes = maxFrameBytes
            self.jitterSeed = jitterSeed
        }

        /// The feed of a server given by its base URL, as the REST client takes it:
        /// `http://127.0.0.1:8089` becomes `ws://127.0.0.1:8089/stocks`, `https://` becomes `wss://`.
        public static func url(forBaseURL base: String, market: String = "stocks") -> String {
            var url = base.hasSuffix("/") ? String(base.dropLast()) : base
            if url.hasPrefix("http://") {
                url = "ws://" + url.dropFirst(7)
            } else if url.hasPrefix("https://") {
                url = "wss://" + url.dropFirst(8)
            }
            return url + "/" + market
        }
    }

    /// What the client has done so far.
    public struct Statistics: Sendable, Equatable {
        /// Connections that reached `auth_success`.
        public var connections = 0
        /// Connections lost or refused.
        public var disconnections = 0
        /// Events dropped because the consumer fell more than `bufferSize` behind.
        public var droppedEvents = 0
        /// Frames that were not JSON arrays, and events whose fields did not decode.
        public var malformedEvents = 0
        /// Events of an `ev` this client does not know, skipped.
        public var unknownEvents = 0
    }
}
