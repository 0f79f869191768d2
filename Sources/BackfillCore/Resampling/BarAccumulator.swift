/// The running aggregate of the bars that fall into one resampling bucket.
///
/// Open is the first bar's open, close the last bar's close, high and low the extremes; volume
/// and trade counts are summed; VWAP is weighted by volume, using a bar's close when the provider
/// sent no VWAP, and is the close when the bucket traded no volume.
struct BarAccumulator: Sendable, Equatable {
    private(set) var open: Double
    private(set) var high: Double
    private(set) var low: Double
    private(set) var close: Double
    private(set) var volume: Double
    /// Σ volume × vwap, in price × shares.
    private var turnover: Double
    private var transactions: Int64?

    init(_ bar: Bar) {
        open = bar.open
        high = bar.high
        low = bar.low
        close = bar.close
        volume = bar.volume
        turnover = bar.volume * (bar.vwap ?? bar.close)
        transactions = bar.transactions
    }

    @inline(__always)
    mutating func add(_ bar: Bar) {
        if bar.high > high { high = bar.high }
        if bar.low < low { low = bar.low }
        close = bar.close
        volume += bar.volume
        turnover += bar.volume * (bar.vwap ?? bar.close)
        if let count = bar.transactions {
            let (sum, overflow) = (transactions ?? 0).addingReportingOverflow(count)
            transactions = overflow ? .max : sum
        }
    }

    /// The finished bar starting at `windowStartMs` (milliseconds since the Unix epoch, UTC).
    func bar(windowStartMs: Int64) -> Bar {
        Bar(
            windowStartMs: windowStartMs, open: open, high: high, low: low, close: close, volume: volume,
            vwap: volume > 0 ? turnover / volume : close, transactions: transactions
        )
    }
}
