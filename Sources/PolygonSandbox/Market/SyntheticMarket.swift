import BackfillCore
import Foundation
import Synchronization

/// Deterministic synthetic US equity prices for the securities of a ``SyntheticUniverse``: a seeded
/// random walk per security (so a renamed ticker continues the same series), minute bars only inside
/// the calendar's sessions (extended 04:00–20:00 New York, sparse outside the regular session), raw
/// prices that really drop at splits (and volumes that rise), daily bars aggregated from the
/// regular-session minutes exactly as a provider builds them.
///
/// Every value is a pure function of (seed, security, date): any range asked in any order gives the
/// same bars, which is what makes reruns and comparisons in tests meaningful.
public struct SyntheticMarket: Sendable {
    public let seed: UInt64
    public let calendar: TradingCalendar
    public let universe: SyntheticUniverse
    private let anchors = AnchorCache()
    /// The first date with data; earlier requests are empty.
    public static let origin = LocalDate(year: 2000, month: 1, day: 3)!

    public init(seed: UInt64 = 42, calendar: TradingCalendar = TradingCalendar(), universe: SyntheticUniverse? = nil) {
        self.seed = seed
        self.calendar = calendar
        self.universe = universe ?? SyntheticUniverse(seed: seed, calendar: calendar)
    }

    /// Calls `body` with each session of `security` in `range` and its split-free price at the open.
    public func forEachSession(
        of security: SyntheticSecurity, in range: DayRange, _ body: (SessionHours, Double) -> Void
    ) {
        let logPrices = anchors.logPrices(of: security) { computeLogPrices(of: security) }
        let last = min(range.last, security.delistDate ?? range.last)
        guard let span = DayRange(max(range.first, security.listDate), last) else { return }
        for index in calendar.sessionIndices(in: span) {
            body(calendar.sessions[index], exp(logPrices[index]))
        }
    }

    /// The security's daily log-price walk at every calendar session, computed once: a seeded
    /// step per session from 2000-01-03, so any range reads the same anchors.
    private func computeLogPrices(of security: SyntheticSecurity) -> [Double] {
        let securitySeed = SplitMix64.stableHash(security.compositeFIGI, seed: seed)
        var logPrice = log(10 + Double(securitySeed % 29_000) / 100)
        return calendar.sessions.map { session in
            var rng = SplitMix64(
                seed: securitySeed ^ (UInt64(bitPattern: Int64(session.date.daysSinceEpoch)) &* 0x9E37_79B9))
            logPrice += 0.0002 + 0.018 * rng.nextGaussian()
            return logPrice
        }
    }

    /// Every raw minute bar of `security` in one session (extended hours included; some quiet
    /// minutes have no bar). `anchor` is the split-free price from ``forEachSession(of:in:_:)``.
    public func minuteBars(of security: SyntheticSecurity, session: SessionHours, anchor: Double) -> [Bar] {
        let securitySeed = SplitMix64.stableHash(security.compositeFIGI, seed: seed)
        var rng = SplitMix64(
            seed: securitySeed &+ UInt64(bitPattern: Int64(session.date.daysSinceEpoch)) &* 0xA24B_AED4)
        let shares = security.splitMultiplier(through: session.date)
        var price = anchor / shares
        var bars: [Bar] = []
        bars.reserveCapacity(Int((session.postMarketCloseMs - session.preMarketOpenMs) / 60_000))
        var start = session.preMarketOpenMs
        while start < session.postMarketCloseMs {
            let regular = session.isRegular(minuteStartingAt: start)
            let sigma = regular ? 0.0008 : 0.0004
            let open = price
            price *= exp(sigma * rng.nextGaussian())
            let wickUp = abs(rng.nextGaussian()) * sigma * 0.6
            let wickDown = abs(rng.nextGaussian()) * sigma * 0.6
            let present = rng.nextUnit() < (regular ? 0.998 : 0.3)
            let volumeNoise = exp(0.5 * rng.nextGaussian())
            if present {
                let shape = regular ? 1 + 2 * uShape(start, session) : 0.05
                let volume = max(1, (security.baseVolume * shares * shape * volumeNoise).rounded())
                bars.append(makeBar(start, open, price, wickUp, wickDown, volume))
            }
            start += 60_000
        }
        return bars
    }

    /// The daily bar of a session: OHLC, volume, VWAP and trades of its regular-session minutes.
    /// Its time is 00:00 New York on the date, as Polygon stamps daily bars.
    public func dailyBar(from minutes: [Bar], session: SessionHours) -> Bar? {
        let regular = minutes.filter { session.isRegular(minuteStartingAt: $0.windowStartMs) }
        guard let first = regular.first, let last = regular.last else { return nil }
        var high = first.high, low = first.low, volume = 0.0, notional = 0.0, trades: Int64 = 0
        for bar in regular {
            high = max(high, bar.high)
            low = min(low, bar.low)
            volume += bar.volume
            notional += (bar.vwap ?? bar.close) * bar.volume
            trades += bar.transactions ?? 0
        }
        let vwap = min(max(round4(notional / volume), low), high)
        return Bar(
            windowStartMs: EasternTime.utcMilliseconds(on: session.date, minutesAfterMidnight: 0),
            open: first.open, high: high, low: low, close: last.close, volume: volume, vwap: vwap,
            transactions: trades)
    }

    private func uShape(_ start: Int64, _ session: SessionHours) -> Double {
        let span = Double(session.regularCloseMs - session.regularOpenMs)
        let x = Double(start - session.regularOpenMs) / span * 2 - 1
        return x * x
    }

    private func makeBar(
        _ start: Int64, _ open: Double, _ close: Double, _ up: Double, _ down: Double, _ volume: Double
    )
        -> Bar
    {
        let o = round4(open), c = round4(close)
        let h = max(round4(max(open, close) * (1 + up)), o, c)
        let l = min(round4(min(open, close) * (1 - down)), o, c)
        let vwap = min(max(round4((h + l + c) / 3), l), h)
        return Bar(
            windowStartMs: start, open: o, high: h, low: l, close: c, volume: volume, vwap: vwap,
            transactions: Int64(max(1, volume / 120)))
    }

    func round4(_ value: Double) -> Double {
        (value * 10_000).rounded() / 10_000
    }
}

/// Per-security daily log prices, computed on first use and shared by every copy of the market.
final class AnchorCache: Sendable {
    private let storage = Mutex<[Int: [Double]]>([:])

    func logPrices(of security: SyntheticSecurity, compute: () -> [Double]) -> [Double] {
        if let cached = storage.withLock({ $0[security.id] }) { return cached }
        let computed = compute()
        storage.withLock { $0[security.id] = computed }
        return computed
    }
}
