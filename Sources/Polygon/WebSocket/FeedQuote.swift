/// One NBBO quote (`Q`) from the stocks feed.
///
/// Polygon's WebSocket spec documents `bs`/`as` in round lots (100 shares) while REST quotes are
/// in shares; the unit is unconfirmed, so sizes are kept exactly as sent.
public struct FeedQuote: Sendable, Equatable, Decodable {
    public var symbol: String
    /// Bid exchange id (`bx`).
    public var bidExchange: Int?
    /// Bid price (`bp`).
    public var bidPrice: Double
    /// Bid size as sent (`bs`).
    public var bidSize: Double
    /// Ask exchange id (`ax`).
    public var askExchange: Int?
    /// Ask price (`ap`).
    public var askPrice: Double
    /// Ask size as sent (`as`).
    public var askSize: Double
    /// Condition code (`c`).
    public var condition: Int?
    /// Indicator codes (`i`); empty when absent.
    public var indicators: [Int]
    /// SIP timestamp (`t`), ms since the Unix epoch (UTC).
    public var timestampMs: Int64
    /// Sequence number (`q`).
    public var sequence: Int64?
    /// Tape (`z`).
    public var tape: Int?

    enum CodingKeys: String, CodingKey {
        case sym, bx, bp, bs, ax, ap, c, i, t, q, z
        case askSize = "as"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        symbol = try c.decode(String.self, forKey: .sym)
        bidExchange = try c.decodeIfPresent(Int.self, forKey: .bx)
        bidPrice = try c.decode(Double.self, forKey: .bp)
        bidSize = try c.decodeIfPresent(Double.self, forKey: .bs) ?? 0
        askExchange = try c.decodeIfPresent(Int.self, forKey: .ax)
        askPrice = try c.decode(Double.self, forKey: .ap)
        askSize = try c.decodeIfPresent(Double.self, forKey: .askSize) ?? 0
        condition = try c.decodeIfPresent(Int.self, forKey: .c)
        indicators = try c.decodeIfPresent([Int].self, forKey: .i) ?? []
        timestampMs = try c.decode(Int64.self, forKey: .t)
        sequence = try c.decodeIfPresent(Int64.self, forKey: .q)
        tape = try c.decodeIfPresent(Int.self, forKey: .z)
    }
}
