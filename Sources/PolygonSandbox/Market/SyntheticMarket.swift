import BackfillCore
import Foundation

/// Deterministic synthetic US equity prices: a seeded random walk per symbol, minute bars only
/// inside sessions (extended 04:00–20:00 New York, sparse outside the regular session), daily bars
/// aggregated from the regular-session minutes exactly as a provider builds them.
///
/// Every value is a pure function of (seed, symbol, date): any range asked in any order gives the
/// same bars, which is what makes reruns and comparisons in tests meaningful.
public struct SyntheticMarket: Sendable {
    public let seed: UInt64
    /// The exchange calendar: bars exist only in its sessions (holidays and early closes included).
    public let calendar: TradingCalendar
    /// The first date with data; earlier requests are empty.
    public static let origin = LocalDate(year: 2000, month: 1, day: 3)!

    public init(seed: UInt64 = 42, calendar: TradingCalendar = TradingCalendar()) {
        self.seed = seed
        self.calendar = calendar
    }

    /// Calls `body` with each session in `range` and the symbol's price at that session's start.
    public func forEachSession(symbol: String, in range: DayRange, _ body: (SessionHours, Double) -> Void) {
        let symbolSeed = SplitMix64.stableHash(symbol, seed: seed)
        var logPrice = log(startPrice(symbolSeed))
        var day = SyntheticMarket.origin
        while day <= range.last {
            if let session = calendar.session(on: day) {
                var rng = SplitMix64(seed: symbolSeed ^ (UInt64(bitPattern: Int64(day.daysSinceEpoch)) &* 0x9E37_79B9))
                logPrice += 0.0002 + 0.018 * rng.nextGaussian()
                if day >= range.first { body(session, exp(logPrice)) }
            }
            day = day.adding(days: 1)
        }
    }

    /// Every minute bar of one session (extended hours included; some quiet minutes have no bar).
    public func minuteBars(symbol: String, session: SessionHours, anchor: Double) -> [Bar] {
        let symbolSeed = SplitMix64.stableHash(symbol, seed: seed)
        var rng = SplitMix64(seed: symbolSeed &+ UInt64(bitPattern: Int64(session.date.daysSinceEpoch)) &* 0xA24B_AED4)
        let baseVolume = 2_000 + Double(symbolSeed % 40_000)
        var price = anchor
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
                let volume = max(1, (baseVolume * shape * volumeNoise).rounded())
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

    private func startPrice(_ symbolSeed: UInt64) -> Double {
        10 + Double(symbolSeed % 29_000) / 100
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

    private func round4(_ value: Double) -> Double {
        (value * 10_000).rounded() / 10_000
    }
}

extension SyntheticMarket {
    /// Every minute bar of `symbol` on the New York `date` (empty when it is not a session).
    /// A stable entry point for the sandbox's surfaces (REST, flat files, WebSocket).
    public func minuteBars(symbol: String, date: LocalDate) -> [Bar] {
        guard let range = DayRange(date, date) else { return [] }
        var bars: [Bar] = []
        forEachSession(symbol: symbol, in: range) { session, anchor in
            bars = minuteBars(symbol: symbol, session: session, anchor: anchor)
        }
        return bars
    }

    /// The minute bar of `symbol` starting at `minuteStartMs`, if that minute traded.
    public func minuteBar(symbol: String, minuteStartMs: Int64) -> Bar? {
        minuteBars(symbol: symbol, date: EasternTime.date(containing: minuteStartMs))
            .first { $0.windowStartMs == minuteStartMs }
    }
}
