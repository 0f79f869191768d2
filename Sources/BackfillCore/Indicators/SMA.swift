/// Simple moving average of the last `period` closes, as TA-Lib's `SMA`.
///
/// Like TA-Lib it keeps a running total (add the new close, divide, subtract the close that leaves
/// the window), so values agree with TA-Lib to the last bit. The first value comes at the
/// `period`-th bar.
public struct SMA: Indicator {
    /// Number of closes averaged (at least 1).
    public let period: Int
    /// The last `period` closes; ``BollingerBands`` reads it too.
    var window: PriceWindow
    /// Sum of the closes in the window that stay for the next bar.
    var total: Double
    public private(set) var isReady: Bool

    /// Creates an SMA over `period` closes (at least 1).
    public init(period: Int) {
        precondition(period >= 1, "an SMA period must be at least 1")
        self.period = period
        window = PriceWindow(capacity: period)
        total = 0
        isReady = false
    }

    /// Feeds the next close; returns the average of the last `period` closes, or nil before that.
    @inline(__always)
    public mutating func update(close: Double) -> Double? {
        window.push(close)
        total += close
        guard window.isFull else { return nil }
        let sum = total
        total -= window.oldest
        isReady = true
        return sum / Double(period)
    }

    /// Feeds the next bar's close.
    public mutating func update(_ bar: Bar) -> Double? {
        update(close: bar.close)
    }

    public mutating func reset() {
        self = SMA(period: period)
    }
}
