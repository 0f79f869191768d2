/// One trade (`T`) from the stocks feed.
public struct FeedTrade: Sendable, Equatable, Decodable {
    public var symbol: String
    /// Exchange id (`x`), as listed by `/v3/reference/exchanges`.
    public var exchange: Int
    /// Trade id (`i`), unique per exchange and ticker; a string on the wire.
    public var id: String
    /// Tape (`z`): 1 NYSE, 2 AMEX and regionals, 3 Nasdaq.
    public var tape: Int?
    /// Price per share (`p`).
    public var price: Double
    /// Shares (`ds` decimal string when sent, else `s`); fractional since 2026.
    public var size: Double
    /// Condition codes (`c`); empty when absent.
    public var conditions: [Int]
    /// SIP timestamp (`t`), ms since the Unix epoch (UTC).
    public var timestampMs: Int64
    /// Sequence number (`q`), increasing per ticker.
    public var sequence: Int64?
    /// Trade reporting facility id (`trfi`), for off-exchange trades.
    public var trfID: Int?
    /// Trade reporting facility timestamp (`trft`), ms UTC.
    public var trfTimestampMs: Int64?

    public init(
        symbol: String, exchange: Int, id: String, tape: Int? = nil, price: Double, size: Double,
        conditions: [Int] = [], timestampMs: Int64, sequence: Int64? = nil, trfID: Int? = nil,
        trfTimestampMs: Int64? = nil
    ) {
        self.symbol = symbol
        self.exchange = exchange
        self.id = id
        self.tape = tape
        self.price = price
        self.size = size
        self.conditions = conditions
        self.timestampMs = timestampMs
        self.sequence = sequence
        self.trfID = trfID
        self.trfTimestampMs = trfTimestampMs
    }

    enum CodingKeys: String, CodingKey {
        case sym, x, i, z, p, s, ds, c, t, q, trfi, trft
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        symbol = try c.decode(String.self, forKey: .sym)
        exchange = try c.decode(Int.self, forKey: .x)
        if let text = try? c.decode(String.self, forKey: .i) {
            id = text
        } else {
            id = String(try c.decode(Int64.self, forKey: .i))
        }
        tape = try c.decodeIfPresent(Int.self, forKey: .z)
        price = try c.decode(Double.self, forKey: .p)
        size = try c.decimal(.ds, else: .s)
        conditions = try c.decodeIfPresent([Int].self, forKey: .c) ?? []
        timestampMs = try c.decode(Int64.self, forKey: .t)
        sequence = try c.decodeIfPresent(Int64.self, forKey: .q)
        trfID = try c.decodeIfPresent(Int.self, forKey: .trfi)
        trfTimestampMs = try c.decodeIfPresent(Int64.self, forKey: .trft)
    }
}
