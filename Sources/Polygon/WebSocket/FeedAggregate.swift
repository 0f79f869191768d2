import BackfillCore

/// A minute (`AM`) or second (`A`) aggregate from the stocks feed.
///
/// Polygon re-broadcasts a minute bar when late trades arrive (up to 15 minutes later): store
/// by (symbol, `startMs`) with an upsert, never append.
public struct FeedAggregate: Sendable, Equatable, Decodable {
    public var symbol: String
    /// Shares traded in the window; from `dv` (a decimal string) when sent, else `v`.
    public var volume: Double
    /// Shares traded so far today (`dav` or `av`).
    public var accumulatedVolume: Double?
    /// Today's official opening price (`op`).
    public var officialOpen: Double?
    /// Volume-weighted average price of the window (`vw`).
    public var vwap: Double?
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    /// Today's volume-weighted average price so far (`a`).
    public var dayVWAP: Double?
    /// Average trade size in the window, shares (`z`).
    public var averageTradeSize: Double?
    /// Window start (`s`), ms since the Unix epoch (UTC).
    public var startMs: Int64
    /// Window end (`e`), ms since the Unix epoch (UTC).
    public var endMs: Int64
    /// Whether the ticker trades over the counter (`otc`).
    public var isOTC: Bool

    public init(
        symbol: String, volume: Double, accumulatedVolume: Double? = nil, officialOpen: Double? = nil,
        vwap: Double? = nil, open: Double, high: Double, low: Double, close: Double, dayVWAP: Double? = nil,
        averageTradeSize: Double? = nil, startMs: Int64, endMs: Int64, isOTC: Bool = false
    ) {
        self.symbol = symbol
        self.volume = volume
        self.accumulatedVolume = accumulatedVolume
        self.officialOpen = officialOpen
        self.vwap = vwap
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.dayVWAP = dayVWAP
        self.averageTradeSize = averageTradeSize
        self.startMs = startMs
        self.endMs = endMs
        self.isOTC = isOTC
    }

    /// The aggregate as a stored bar (the feed sends no trade count, so `transactions` is nil).
    public var bar: Bar {
        Bar(windowStartMs: startMs, open: open, high: high, low: low, close: close, volume: volume, vwap: vwap)
    }

    enum CodingKeys: String, CodingKey {
        case sym, v, dv, av, dav, op, vw, o, h, l, c, a, z, s, e, otc
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        symbol = try c.decode(String.self, forKey: .sym)
        volume = try c.decimal(.dv, else: .v)
        accumulatedVolume = try c.decimalIfPresent(.dav, else: .av)
        officialOpen = try c.decodeIfPresent(Double.self, forKey: .op)
        vwap = try c.decodeIfPresent(Double.self, forKey: .vw)
        open = try c.decode(Double.self, forKey: .o)
        high = try c.decode(Double.self, forKey: .h)
        low = try c.decode(Double.self, forKey: .l)
        close = try c.decode(Double.self, forKey: .c)
        dayVWAP = try c.decodeIfPresent(Double.self, forKey: .a)
        averageTradeSize = try c.decodeIfPresent(Double.self, forKey: .z)
        startMs = try c.decode(Int64.self, forKey: .s)
        endMs = try c.decode(Int64.self, forKey: .e)
        isOTC = try c.decodeIfPresent(Bool.self, forKey: .otc) ?? false
    }
}

extension KeyedDecodingContainer {
    /// A quantity sent both as a number (`v`) and, since 2026, as an exact decimal string (`dv`):
    /// the string wins when it parses.
    func decimal(_ stringKey: Key, else numberKey: Key) throws -> Double {
        if let value = try decimalIfPresent(stringKey, else: numberKey) { return value }
        throw DecodingError.keyNotFound(
            numberKey,
            .init(
                codingPath: codingPath,
                debugDescription: "neither \(stringKey.stringValue) nor \(numberKey.stringValue)"))
    }

    func decimalIfPresent(_ stringKey: Key, else numberKey: Key) throws -> Double? {
        if let text = try? decodeIfPresent(String.self, forKey: stringKey), let value = Double(text), value.isFinite {
            return value
        }
        return try decodeIfPresent(Double.self, forKey: numberKey)
    }
}
