/// Exponential moving average, as TA-Lib's `EMA` (default compatibility mode).
///
/// The smoothing factor is `2 / (period + 1)`. The first value, at the `period`-th bar, is the
/// simple mean of the first `period` closes; after that each value is
/// `(close − previous) × k + previous` with a fused multiply-add, bit for bit what TA-Lib 0.8 gives.
public struct EMA: Indicator {
    /// Number of closes in the seed and in the smoothing factor (at least 1).
    public let period: Int
    /// `2 / (period + 1)`.
    public let smoothing: Double
    /// Closes seen, capped at `period` (the warm-up counter).
    var seen: Int
    /// The seed total during warm-up, then the current average.
    var average: Double

    /// Creates an EMA of `period` closes (at least 1).
    public init(period: Int) {
        precondition(period >= 1, "an EMA period must be at least 1")
        self.period = period
        smoothing = 2.0 / Double(period + 1)
        seen = 0
        average = 0
    }

    public var isReady: Bool { seen == period }

    /// Feeds the next close (or any value, as MACD does); returns the average, or nil during warm-up.
    @inline(__always)
    public mutating func update(close: Double) -> Double? {
        if seen == period {
            // One rounding, as TA-Lib 0.8's C library (built with FMA contraction) evaluates
            // `((close − previous) × k) + previous`; a separate multiply and add differs by an ulp
            // now and then, which MACD's difference of two EMAs at $1e6 turns into a 1e-8 relative error.
            average = average.addingProduct(close - average, smoothing)
            return average
        }
        average += close
        seen += 1
        guard seen == period else { return nil }
        average /= Double(period)
        return average
    }

    /// Feeds the next bar's close.
    public mutating func update(_ bar: Bar) -> Double? {
        update(close: bar.close)
    }

    public mutating func reset() {
        self = EMA(period: period)
    }
}
