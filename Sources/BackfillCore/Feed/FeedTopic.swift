/// One subscription of Polygon's stock feed: a channel and a symbol, written `AM.AAPL` on the
/// wire; the symbol `*` means every ticker (`AM.*`).
public struct FeedTopic: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The event kind of a topic, as Polygon names it (`AM`, `A`, `T`, `Q`, `LULD`, `NOI`).
    public struct Channel: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        public static func < (lhs: Channel, rhs: Channel) -> Bool { lhs.rawValue < rhs.rawValue }

        /// Minute bars (`AM`).
        public static let minuteBars = Channel(rawValue: "AM")
        /// Second bars (`A`).
        public static let secondBars = Channel(rawValue: "A")
        /// Trades (`T`).
        public static let trades = Channel(rawValue: "T")
        /// NBBO quotes (`Q`).
        public static let quotes = Channel(rawValue: "Q")
        /// Limit up/limit down bands (`LULD`).
        public static let limitBands = Channel(rawValue: "LULD")
        /// Auction imbalances (`NOI`).
        public static let imbalances = Channel(rawValue: "NOI")
    }

    /// The symbol every ticker is subscribed with.
    public static let wildcard = "*"

    public var channel: Channel
    /// A ticker (`AAPL`, `BRK.A`) or ``wildcard``.
    public var symbol: String

    public init(_ channel: Channel, _ symbol: String) {
        self.channel = channel
        self.symbol = symbol
    }

    /// Every ticker of `channel` (`AM.*`).
    public static func all(_ channel: Channel) -> FeedTopic { FeedTopic(channel, wildcard) }

    /// Parses `AM.AAPL`; the symbol is everything after the first dot, so `AM.BRK.A` works.
    /// Returns nil for text without a channel or without a symbol.
    public init?(_ text: some StringProtocol) {
        let trimmed = text.filter { $0 != " " }
        guard let dot = trimmed.firstIndex(of: "."), dot != trimmed.startIndex else { return nil }
        let symbol = trimmed[trimmed.index(after: dot)...]
        guard !symbol.isEmpty else { return nil }
        self.init(Channel(rawValue: String(trimmed[..<dot])), String(symbol))
    }

    /// Parses a comma list (`AM.AAPL,T.MSFT`) as sent in a subscribe message; nil if any item is
    /// not a topic. Empty items (a trailing comma) are skipped.
    public static func list(_ text: some StringProtocol) -> [FeedTopic]? {
        var topics: [FeedTopic] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: true) {
            guard let topic = FeedTopic(item) else { return nil }
            topics.append(topic)
        }
        return topics
    }

    /// Whether this topic covers events of `channel` for `symbol` (wildcards included).
    public func matches(_ channel: Channel, symbol: String) -> Bool {
        self.channel == channel && (self.symbol == FeedTopic.wildcard || self.symbol == symbol)
    }

    public var description: String { "\(channel.rawValue).\(symbol)" }

    public static func < (lhs: FeedTopic, rhs: FeedTopic) -> Bool {
        (lhs.channel.rawValue, lhs.symbol) < (rhs.channel.rawValue, rhs.symbol)
    }
}
