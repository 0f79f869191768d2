/// Moving average convergence/divergence, as TA-Lib's `MACD`.
///
/// Holds three ``EMA``s. Like TA-Lib, the fast EMA is seeded at the same bar as the slow one, from
/// the mean of the last `fast` closes there (so it starts consuming closes `slow − fast` bars late),
/// and the signal EMA is seeded with the mean of the first `signal` MACD values. All three outputs
/// start together, at bar `slow + signal − 1`.
public struct MACD: Indicator {
    /// One MACD reading, in price units.
    public struct Value: Sendable, Equatable, Codable {
        /// Fast EMA minus slow EMA.
        public var macd: Double
        /// EMA of ``macd`` over the signal period.
        public var signal: Double
        /// ``macd`` minus ``signal``.
        public var histogram: Double

        public init(macd: Double, signal: Double, histogram: Double) {
            self.macd = macd
            self.signal = signal
            self.histogram = histogram
        }
    }

    var fast: EMA
    var slow: EMA
    var signalLine: EMA
    /// Closes seen, capped at the point where the fast EMA starts taking them.
    var seen: Int
    public private(set) var isReady: Bool

    /// Creates a MACD. As TA-Lib does, the two periods are swapped when `slow` is shorter than `fast`.
    /// - Parameters:
    ///   - fast: fast EMA period in bars (at least 1).
    ///   - slow: slow EMA period in bars (at least 1).
    ///   - signal: signal EMA period in MACD values (at least 1).
    public init(fast: Int, slow: Int, signal: Int) {
        self.fast = EMA(period: min(fast, slow))
        self.slow = EMA(period: max(fast, slow))
        signalLine = EMA(period: signal)
        seen = 0
        isReady = false
    }

    /// Fast EMA period (bars).
    public var fastPeriod: Int { fast.period }
    /// Slow EMA period (bars).
    public var slowPeriod: Int { slow.period }
    /// Signal EMA period (MACD values).
    public var signalPeriod: Int { signalLine.period }

    /// Feeds the next close; returns the reading, or nil for the first `slow + signal − 2` closes.
    @inline(__always)
    public mutating func update(close: Double) -> Value? {
        let slowValue = slow.update(close: close)
        if seen < slow.period - fast.period {
            seen += 1
            return nil
        }
        guard let fastValue = fast.update(close: close), let slowValue else { return nil }
        let macd = fastValue - slowValue
        guard let signal = signalLine.update(close: macd) else { return nil }
        isReady = true
        return Value(macd: macd, signal: signal, histogram: macd - signal)
    }

    /// Feeds the next bar's close.
    public mutating func update(_ bar: Bar) -> Value? {
        update(close: bar.close)
    }

    public mutating func reset() {
        self = MACD(fast: fast.period, slow: slow.period, signal: signalLine.period)
    }
}
