/// A limit up/limit down band (`LULD`) from the stocks feed.
public struct FeedLimitBand: Sendable, Equatable, Decodable {
    /// Ticker (`T`).
    public var symbol: String
    /// Upper band price (`h`).
    public var highPrice: Double
    /// Lower band price (`l`).
    public var lowPrice: Double
    /// Indicator codes (`i`).
    public var indicators: [Int]
    /// Tape (`z`).
    public var tape: Int?
    /// Timestamp (`t`) exactly as sent: documented as ms UTC, but the vendor's own example
    /// carries µs, so the unit is not converted here.
    public var timestamp: Int64
    /// Sequence number (`q`).
    public var sequence: Int64?

    enum CodingKeys: String, CodingKey {
        case symbol = "T"
        case h, l, i, z, t, q
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        symbol = try c.decode(String.self, forKey: .symbol)
        highPrice = try c.decode(Double.self, forKey: .h)
        lowPrice = try c.decode(Double.self, forKey: .l)
        indicators = try c.decodeIfPresent([Int].self, forKey: .i) ?? []
        tape = try c.decodeIfPresent(Int.self, forKey: .z)
        timestamp = try c.decode(Int64.self, forKey: .t)
        sequence = try c.decodeIfPresent(Int64.self, forKey: .q)
    }
}
