import BackfillCore

/// One page of `/v2/aggs/ticker/{T}/range/…`, `/v2/aggs/grouped/…` or `/v2/aggs/ticker/{T}/prev`.
///
/// Unknown fields are ignored and optional ones tolerated; the bar fields Polygon always sends
/// (`o h l c v t`) are required, so a page missing one is reported instead of stored as zeros.
public struct AggregatesPage: Decodable, Sendable {
    public var ticker: String?
    public var adjusted: Bool?
    public var queryCount: Int?
    public var resultsCount: Int?
    public var count: Int?
    public var status: String?
    public var requestID: String?
    /// Full URL of the next page; absent on the last page.
    public var nextURL: String?
    /// `null` or absent means no bars (Polygon has sent both).
    public var results: [AggregateBar]

    public init(
        ticker: String? = nil, adjusted: Bool? = nil, queryCount: Int? = nil, resultsCount: Int? = nil,
        count: Int? = nil, status: String? = nil, requestID: String? = nil, nextURL: String? = nil,
        results: [AggregateBar]
    ) {
        self.ticker = ticker
        self.adjusted = adjusted
        self.queryCount = queryCount
        self.resultsCount = resultsCount
        self.count = count
        self.status = status
        self.requestID = requestID
        self.nextURL = nextURL
        self.results = results
    }

    enum CodingKeys: String, CodingKey {
        case ticker, adjusted, queryCount, resultsCount, count, status, results
        case requestID = "request_id"
        case nextURL = "next_url"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ticker = try container.decodeIfPresent(String.self, forKey: .ticker)
        adjusted = try container.decodeIfPresent(Bool.self, forKey: .adjusted)
        queryCount = try container.decodeIfPresent(Int.self, forKey: .queryCount)
        resultsCount = try container.decodeIfPresent(Int.self, forKey: .resultsCount)
        count = try container.decodeIfPresent(Int.self, forKey: .count)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        requestID = try container.decodeLenientString(forKey: .requestID)
        nextURL = try container.decodeIfPresent(String.self, forKey: .nextURL)
        results = try container.decodeIfPresent([AggregateBar].self, forKey: .results) ?? []
    }
}

/// One aggregate as Polygon sends it (`o h l c v vw t n`, `T` in grouped and previous-close answers).
public struct AggregateBar: Decodable, Sendable, Equatable {
    /// The ticker, present in grouped daily and previous close results.
    public var ticker: String?
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Double
    public var vwap: Double?
    /// Window start (or, for grouped daily and previous close, the 16:00 ET end) in ms UTC.
    public var timestampMs: Int64
    public var transactions: Int64?
    public var otc: Bool?

    public init(
        ticker: String? = nil, open: Double, high: Double, low: Double, close: Double, volume: Double,
        vwap: Double? = nil, timestampMs: Int64, transactions: Int64? = nil, otc: Bool? = nil
    ) {
        self.ticker = ticker
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.vwap = vwap
        self.timestampMs = timestampMs
        self.transactions = transactions
        self.otc = otc
    }

    enum CodingKeys: String, CodingKey {
        case ticker = "T"
        case open = "o", high = "h", low = "l", close = "c", volume = "v", vwap = "vw"
        case timestampMs = "t", transactions = "n", otc
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ticker = try container.decodeIfPresent(String.self, forKey: .ticker)
        open = try container.decode(Double.self, forKey: .open)
        high = try container.decode(Double.self, forKey: .high)
        low = try container.decode(Double.self, forKey: .low)
        close = try container.decode(Double.self, forKey: .close)
        volume = try container.decode(Double.self, forKey: .volume)
        vwap = try container.decodeIfPresent(Double.self, forKey: .vwap)
        timestampMs = try container.decodeWholeNumber(forKey: .timestampMs)
        transactions = try container.decodeIfPresent(Double.self, forKey: .transactions).map { Int64($0) }
        otc = try container.decodeIfPresent(Bool.self, forKey: .otc)
    }

    /// The raw bar for storage.
    public var bar: Bar {
        Bar(
            windowStartMs: timestampMs, open: open, high: high, low: low, close: close, volume: volume,
            vwap: vwap, transactions: transactions)
    }
}

extension KeyedDecodingContainer {
    /// Accepts a string or a number (the `stocks/v1` spec examples carry `"request_id": 1`).
    func decodeLenientString(forKey key: Key) throws -> String? {
        if let text = try? decodeIfPresent(String.self, forKey: key) { return text }
        if let number = try? decodeIfPresent(Int64.self, forKey: key) { return String(number) }
        return nil
    }

    /// An Int64 that may be written as `1112331600000` or `1112331600000.0`, never through a
    /// lossy Double when it is an integer.
    func decodeWholeNumber(forKey key: Key) throws -> Int64 {
        if let value = try? decode(Int64.self, forKey: key) { return value }
        let double = try decode(Double.self, forKey: key)
        guard double.rounded() == double, abs(double) < 9.2e18 else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "expected a whole number, got \(double)")
        }
        return Int64(double)
    }
}
