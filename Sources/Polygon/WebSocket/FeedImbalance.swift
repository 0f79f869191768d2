/// An auction imbalance (`NOI`) from the stocks feed.
public struct FeedImbalance: Sendable, Equatable, Decodable {
    /// Ticker (`T`).
    public var symbol: String
    /// Timestamp (`t`) exactly as sent: documented as ms UTC, but the vendor's own example
    /// carries ns, so the unit is not converted here.
    public var timestamp: Int64
    /// Auction time (`at`) as sent, e.g. 930 for 09:30 New York.
    public var auctionTime: Int?
    /// Auction type (`a`): `O` opening, `C` closing, `H` halt, `P` IPO, `M` market.
    public var auctionType: String?
    /// Symbol sequence (`i`).
    public var symbolSequence: Int?
    /// Exchange id (`x`).
    public var exchange: Int?
    /// Imbalance quantity, shares (`o`).
    public var imbalanceQuantity: Double?
    /// Paired quantity, shares (`p`).
    public var pairedQuantity: Double?
    /// Book clearing price (`b`).
    public var bookClearingPrice: Double?

    enum CodingKeys: String, CodingKey {
        case symbol = "T"
        case t, at, a, i, x, o, p, b
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        symbol = try c.decode(String.self, forKey: .symbol)
        timestamp = try c.decode(Int64.self, forKey: .t)
        auctionTime = try c.decodeIfPresent(Int.self, forKey: .at)
        auctionType = try c.decodeIfPresent(String.self, forKey: .a)
        symbolSequence = try c.decodeIfPresent(Int.self, forKey: .i)
        exchange = try c.decodeIfPresent(Int.self, forKey: .x)
        imbalanceQuantity = try c.decodeIfPresent(Double.self, forKey: .o)
        pairedQuantity = try c.decodeIfPresent(Double.self, forKey: .p)
        bookClearingPrice = try c.decodeIfPresent(Double.self, forKey: .b)
    }
}
