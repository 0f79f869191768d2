/// The configured set of indicators for one symbol, updated together bar by bar.
///
/// The engine is a value type whose whole state is `Codable`: after a backfill its snapshot is
/// stored, and live ingestion restores it and continues instead of recomputing history. Bars must
/// arrive in time order; a bar at or before the last one applied is ignored (``update(_:)`` returns
/// nil and the state is unchanged), so replaying an overlap after a restore never counts a bar twice.
/// Prices must be finite (the validator quarantines bad bars first): like TA-Lib's running totals, a
/// NaN close would poison the SMA from then on.
public struct IndicatorEngine: Sendable, Equatable, Codable {
    /// The indicator set this engine runs.
    public let configuration: Configuration
    /// Nil when the SMA is the Bollinger middle band (same period): one window and one running
    /// total serve both, with bit-identical values.
    var sma: SMA?
    /// Whether the SMA is read from the Bollinger middle band.
    let smaIsBollingerMiddle: Bool
    var ema: EMA?
    var rsi: RSI?
    var macd: MACD?
    var bollinger: BollingerBands?
    var vwap: SessionVWAP?
    /// Start (UTC ms) of the last bar applied; nil before the first.
    public private(set) var lastWindowStartMs: Int64?

    /// Creates an engine with fresh indicators.
    /// - Throws: ``IndicatorEngine/ConfigurationError`` when a period or multiplier is out of range.
    public init(configuration: Configuration = Configuration()) throws {
        try configuration.validate()
        self.configuration = configuration
        smaIsBollingerMiddle =
            configuration.smaPeriod != nil && configuration.smaPeriod == configuration.bollinger?.period
        sma = smaIsBollingerMiddle ? nil : configuration.smaPeriod.map { SMA(period: $0) }
        ema = configuration.emaPeriod.map { EMA(period: $0) }
        rsi = configuration.rsiPeriod.map { RSI(period: $0) }
        macd = configuration.macd.map { MACD(fast: $0.fast, slow: $0.slow, signal: $0.signal) }
        bollinger = configuration.bollinger.map { BollingerBands(period: $0.period, deviations: $0.deviations) }
        vwap = configuration.vwap.map { SessionVWAP(priceSource: $0) }
        lastWindowStartMs = nil
    }

    /// Whether every configured indicator has produced a value.
    public var isReady: Bool {
        (sma?.isReady ?? true) && (ema?.isReady ?? true) && (rsi?.isReady ?? true)
            && (macd?.isReady ?? true) && (bollinger?.isReady ?? true) && (vwap?.isReady ?? true)
    }

    /// Applies the next bar to every configured indicator.
    /// - Returns: the values at this bar, or nil when the bar is not after ``lastWindowStartMs``
    ///   (already applied; the state is unchanged).
    public mutating func update(_ bar: Bar) -> Values? {
        if let last = lastWindowStartMs, bar.windowStartMs <= last { return nil }
        lastWindowStartMs = bar.windowStartMs
        let close = bar.close
        var values = Values()
        if let value = sma?.update(close: close) { values.smaValue = value }
        if let value = ema?.update(close: close) { values.emaValue = value }
        if let value = rsi?.update(close: close) { values.rsiValue = value }
        if let value = macd?.update(close: close) {
            (values.macdLine, values.macdSignal, values.macdHistogram) = (value.macd, value.signal, value.histogram)
        }
        if let value = bollinger?.update(close: close) {
            (values.upperBand, values.middleBand, values.lowerBand) = (value.upper, value.middle, value.lower)
            if smaIsBollingerMiddle { values.smaValue = value.middle }
        }
        if let value = vwap?.update(bar) { values.vwapValue = value }
        return values
    }

    /// Forgets every bar, keeping the configuration.
    public mutating func reset() {
        sma?.reset()
        ema?.reset()
        rsi?.reset()
        macd?.reset()
        bollinger?.reset()
        vwap?.reset()
        lastWindowStartMs = nil
    }

    /// Runs the engine over `bars` from its current state; one entry per bar (nil for bars skipped
    /// as not after the previous one).
    public func values(over bars: some Sequence<Bar>) -> [Values?] {
        var copy = self
        return bars.map { copy.update($0) }
    }
}
