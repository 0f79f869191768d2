/// Volume-weighted average price since the start of the bar's New York calendar day.
///
/// The running sums reset at New York midnight, so pre-market, regular and post-market bars of a
/// day (04:00–20:00) all count, and a new day starts afresh. Each bar contributes
/// `price × volume`, where the price is the bar's typical price `(high + low + close) / 3` (the
/// usual charting definition, and the only one available from plain OHLCV input) or, with
/// ``PriceSource/barVWAP``, the provider's own per-bar VWAP (`vw`) where present.
/// While the day's volume is still 0 there is no value.
public struct SessionVWAP: Indicator {
    /// Which per-bar price is weighted by volume.
    public enum PriceSource: String, Sendable, Equatable, Codable, CaseIterable {
        /// `(high + low + close) / 3`.
        case typicalPrice
        /// The bar's `vwap` when the provider sent it, otherwise the typical price.
        case barVWAP
    }

    /// Which per-bar price is weighted.
    public let priceSource: PriceSource
    /// First millisecond (UTC) of the New York day being accumulated.
    var dayStartMs: Int64
    /// First millisecond (UTC) of the next New York day; equal to `dayStartMs` before any bar.
    var dayEndMs: Int64
    /// Σ price × volume since the day started (price × shares).
    var priceVolume: Double
    /// Σ volume since the day started (shares).
    var volume: Double

    /// Creates a session VWAP weighting `priceSource` by volume.
    public init(priceSource: PriceSource = .typicalPrice) {
        self.priceSource = priceSource
        dayStartMs = 0
        dayEndMs = 0
        priceVolume = 0
        volume = 0
    }

    public var isReady: Bool { volume > 0 }

    /// Feeds the next bar; returns the day's VWAP so far in price units, or nil while its volume is 0.
    @inline(__always)
    public mutating func update(_ bar: Bar) -> Double? {
        if bar.windowStartMs >= dayEndMs || bar.windowStartMs < dayStartMs {
            startDay(containing: bar.windowStartMs)
        }
        let price: Double
        if priceSource == .barVWAP, let vwap = bar.vwap {
            price = vwap
        } else {
            price = (bar.high + bar.low + bar.close) / 3
        }
        priceVolume += price * bar.volume
        volume += bar.volume
        return volume > 0 ? priceVolume / volume : nil
    }

    public mutating func reset() {
        self = SessionVWAP(priceSource: priceSource)
    }

    /// Resets the sums and caches the UTC bounds of the New York day containing `utcMs`, so the
    /// time-zone lookup runs once per day rather than once per bar.
    private mutating func startDay(containing utcMs: Int64) {
        let date = EasternTime.date(containing: utcMs)
        // 24:00 of the previous/current date: New York midnight never falls in a DST change (02:00).
        dayStartMs = EasternTime.utcMilliseconds(on: date.adding(days: -1), minutesAfterMidnight: 24 * 60)
        dayEndMs = EasternTime.utcMilliseconds(on: date, minutesAfterMidnight: 24 * 60)
        priceVolume = 0
        volume = 0
    }
}
