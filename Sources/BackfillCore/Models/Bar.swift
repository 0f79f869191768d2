/// One raw (unadjusted) OHLCV aggregate as the provider sent it.
///
/// Prices are Double as Polygon sends them; volume is Double because fractional shares exist since
/// 2026. The bar's time is the start of its window in UTC milliseconds (Polygon REST `t`).
public struct Bar: Sendable, Equatable, Codable {
    /// Start of the aggregate window, milliseconds since the Unix epoch (UTC).
    public var windowStartMs: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    /// Shares traded in the window (may be fractional).
    public var volume: Double
    /// Volume-weighted average price of the window, when the provider sends it.
    public var vwap: Double?
    /// Number of trades in the window, when the provider sends it.
    public var transactions: Int64?

    public init(
        windowStartMs: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double,
        vwap: Double? = nil, transactions: Int64? = nil
    ) {
        self.windowStartMs = windowStartMs
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.vwap = vwap
        self.transactions = transactions
    }
}

/// Bars of one symbol and timeframe, the unit that flows through the pipeline and into a store.
public struct BarBatch: Sendable, Equatable {
    public var symbol: String
    public var timeframe: Timeframe
    public var bars: [Bar]

    public init(symbol: String, timeframe: Timeframe, bars: [Bar]) {
        self.symbol = symbol
        self.timeframe = timeframe
        self.bars = bars
    }
}
