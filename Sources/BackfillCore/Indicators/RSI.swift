/// Wilder's relative strength index, as TA-Lib's `RSI`, in points from 0 to 100.
///
/// Seeded with the simple means of the gains and losses of the first `period` changes (so the first
/// value comes at bar `period + 1`), then smoothed as `(previous × (period − 1) + change) / period`.
/// When average gain plus average loss is exactly 0 (a flat run) the value is 0, as TA-Lib gives.
public struct RSI: Indicator {
    /// Number of close-to-close changes averaged (at least 1).
    public let period: Int
    /// Closes seen, capped at `period + 1`.
    var seen: Int
    var previousClose: Double
    /// Sum of gains during warm-up, then the smoothed average gain.
    var averageGain: Double
    /// Sum of losses (positive) during warm-up, then the smoothed average loss.
    var averageLoss: Double

    /// Creates an RSI over `period` changes (at least 1).
    public init(period: Int) {
        precondition(period >= 1, "an RSI period must be at least 1")
        self.period = period
        seen = 0
        previousClose = 0
        averageGain = 0
        averageLoss = 0
    }

    public var isReady: Bool { seen > period }

    /// Feeds the next close; returns the RSI (0…100), or nil for the first `period` closes.
    @inline(__always)
    public mutating func update(close: Double) -> Double? {
        let change = close - previousClose
        previousClose = close
        if seen > period {
            averageLoss *= Double(period - 1)
            averageGain *= Double(period - 1)
            accumulate(change)
            averageLoss /= Double(period)
            averageGain /= Double(period)
            return strength
        }
        seen += 1
        guard seen > 1 else { return nil }
        accumulate(change)
        guard seen > period else { return nil }
        averageLoss /= Double(period)
        averageGain /= Double(period)
        return strength
    }

    /// Feeds the next bar's close.
    public mutating func update(_ bar: Bar) -> Double? {
        update(close: bar.close)
    }

    public mutating func reset() {
        self = RSI(period: period)
    }

    private mutating func accumulate(_ change: Double) {
        if change < 0 {
            averageLoss -= change
        } else {
            averageGain += change
        }
    }

    private var strength: Double {
        let total = averageGain + averageLoss
        return total != 0 ? 100 * (averageGain / total) : 0
    }
}
