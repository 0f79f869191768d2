/// Bollinger Bands: a simple moving average ± `deviations` population standard deviations, as
/// TA-Lib's `BBANDS` with the SMA moving-average type and equal up/down multipliers.
///
/// The middle band is an ``SMA`` (bit-identical to TA-Lib's). The deviation is computed without the
/// catastrophic cancellation of `E[x²] − E[x]²`: the window's values are summed as differences from
/// an anchor inside the window, and every `4 × period` bars the anchor moves to the latest close and both
/// sums are recomputed exactly from the window (also at once when the spread collapses), so no
/// rounding drift builds up. That is O(1) amortised per bar, and the bands agree with TA-Lib to
/// ~1e-14 relative at prices from 0.01 to 1e6, flat runs included.
public struct BollingerBands: Indicator {
    /// One reading, in price units.
    public struct Value: Sendable, Equatable, Codable {
        /// `middle + deviations × σ`.
        public var upper: Double
        /// SMA of the window.
        public var middle: Double
        /// `middle − deviations × σ`.
        public var lower: Double

        public init(upper: Double, middle: Double, lower: Double) {
            self.upper = upper
            self.middle = middle
            self.lower = lower
        }
    }

    /// Multiplier of the standard deviation for both bands (TA-Lib's `nbdevup` = `nbdevdn`).
    public let deviations: Double
    /// `1 / period`, so the per-bar variance needs no division.
    let reciprocalPeriod: Double
    var average: SMA
    /// Value the shifted sums are taken relative to.
    var anchor: Double
    /// Σ (x − anchor) over the window.
    var shiftedSum: Double
    /// Σ (x − anchor)² over the window.
    var shiftedSquares: Double
    /// Bars since the sums were last recomputed exactly.
    var sinceRebase: Int
    /// Largest Σ (x − anchor)² since the last recompute: its rounding noise bounds the sum's error.
    var peakSquares: Double

    /// Creates bands over `period` closes (at least 1), `deviations` standard deviations wide.
    public init(period: Int, deviations: Double) {
        average = SMA(period: period)
        self.deviations = deviations
        reciprocalPeriod = 1 / Double(period)
        anchor = 0
        shiftedSum = 0
        shiftedSquares = 0
        sinceRebase = 0
        peakSquares = 0
    }

    /// Window length in bars.
    public var period: Int { average.period }
    public var isReady: Bool { average.isReady }

    /// Feeds the next close; returns the bands, or nil for the first `period − 1` closes.
    @inline(__always)
    public mutating func update(close: Double) -> Value? {
        let leaving = average.window.isFull ? average.window.oldest : nil
        if average.window.count == 0 { anchor = close }
        let middle = average.update(close: close)
        if let leaving {
            let out = leaving - anchor
            shiftedSum -= out
            shiftedSquares -= out * out
        }
        let into = close - anchor
        shiftedSum += into
        shiftedSquares += into * into
        sinceRebase += 1
        peakSquares = max(peakSquares, shiftedSquares)
        guard let middle else { return nil }
        var variance = self.variance
        // Recompute every `4 × period` bars, and at once when the sums' rounding noise could dominate:
        // the spread collapsed since the last recompute (a flat run after a volatile one), or the
        // variance is a tiny difference of the two sums (the anchor far from a narrow window).
        if sinceRebase >= 4 * period || shiftedSquares < peakSquares * 0x1p-20
            || variance < shiftedSquares * reciprocalPeriod * 0x1p-20
        {
            rebase(anchoredAt: close)
            variance = self.variance
        }
        let width = deviations * variance.squareRoot()
        return Value(upper: middle + width, middle: middle, lower: middle - width)
    }

    /// Feeds the next bar's close.
    public mutating func update(_ bar: Bar) -> Value? {
        update(close: bar.close)
    }

    public mutating func reset() {
        self = BollingerBands(period: average.period, deviations: deviations)
    }

    /// Population variance of the window from the shifted sums (price units squared, never negative).
    private var variance: Double {
        let meanShift = shiftedSum * reciprocalPeriod
        return max(shiftedSquares * reciprocalPeriod - meanShift * meanShift, 0)
    }

    /// Moves the anchor to `value`, a close in the window (so a flat window sums to exactly 0), and
    /// recomputes both sums from the window.
    private mutating func rebase(anchoredAt value: Double) {
        anchor = value
        shiftedSum = 0
        shiftedSquares = 0
        var compensation = 0.0
        for value in average.window.storage {
            let shifted = value - anchor
            shiftedSum += shifted
            // Kahan summation keeps the squares' total exact to ~1 ulp whatever the window length.
            let term = shifted * shifted - compensation
            let total = shiftedSquares + term
            compensation = (total - shiftedSquares) - term
            shiftedSquares = total
        }
        sinceRebase = 0
        peakSquares = shiftedSquares
    }
}
