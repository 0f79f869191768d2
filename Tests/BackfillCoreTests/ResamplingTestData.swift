import BackfillCore

/// Deterministic synthetic minute bars for resampling and validation tests.
enum ResamplingTestData {
    static let calendar = TradingCalendar()

    static func date(_ text: String) -> LocalDate {
        guard let date = LocalDate(text) else { preconditionFailure("bad test date \(text)") }
        return date
    }

    /// One-minute bars over the extended hours of every session from `first` to `last`.
    /// - Parameters:
    ///   - dropEvery: when > 0, roughly one minute in `dropEvery` has no bar (illiquid minutes).
    ///   - seed: SplitMix64 seed; volumes are whole shares so sums are exact.
    static func minuteBars(from first: String, to last: String, seed: UInt64 = 7, dropEvery: UInt64 = 0) -> [Bar] {
        var random = SplitMix64(seed: seed)
        var price = 100.0
        var bars: [Bar] = []
        for hours in calendar.sessions(in: DayRange(date(first), date(last))!) {
            var start = hours.preMarketOpenMs
            while start < hours.postMarketCloseMs {
                defer { start += 60_000 }
                let draw = random.next()
                if dropEvery > 0, draw % dropEvery == 0 { continue }
                bars.append(bar(at: start, price: &price, random: &random))
            }
        }
        return bars
    }

    static func bar(at start: Int64, price: inout Double, random: inout SplitMix64) -> Bar {
        let open = price
        let close = max(1, open + (random.nextUnit() - 0.5) * 0.4)
        let high = max(open, close) + random.nextUnit() * 0.1
        let low = min(open, close) - random.nextUnit() * 0.1
        price = close
        let volume = Double(random.next() % 5_000)
        let vwap: Double? = random.next() % 10 == 0 ? nil : low + (high - low) * random.nextUnit()
        let trades: Int64? = random.next() % 20 == 0 ? nil : Int64(random.next() % 300)
        return Bar(
            windowStartMs: start, open: open, high: high, low: low, close: close, volume: volume, vwap: vwap,
            transactions: trades)
    }

    /// The provider's daily bar computed the plain way: every included minute of the session.
    static func naiveDaily(_ minutes: [Bar], session: SessionHours, extended: Bool) -> Bar? {
        let lower = extended ? session.preMarketOpenMs : session.regularOpenMs
        let upper = extended ? session.postMarketCloseMs : session.regularCloseMs
        let inside = minutes.filter { $0.windowStartMs >= lower && $0.windowStartMs < upper }
        guard let first = inside.first, let last = inside.last else { return nil }
        let volume = inside.reduce(0) { $0 + $1.volume }
        let turnover = inside.reduce(0) { $0 + $1.volume * ($1.vwap ?? $1.close) }
        let trades = inside.compactMap(\.transactions)
        return Bar(
            windowStartMs: session.regularOpenMs - 570 * 60_000, open: first.open,
            high: inside.map(\.high).max() ?? first.high, low: inside.map(\.low).min() ?? first.low,
            close: last.close, volume: volume, vwap: volume > 0 ? turnover / volume : last.close,
            transactions: trades.isEmpty ? nil : trades.reduce(0, +))
    }

    /// Equal except VWAP, which may differ by rounding when sums are regrouped.
    static func nearlyEqual(_ lhs: [Bar], _ rhs: [Bar], tolerance: Double = 1e-12) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).allSatisfy { a, b in
            var a2 = a
            a2.vwap = b.vwap
            let (x, y) = (a.vwap ?? .nan, b.vwap ?? .nan)
            return a2 == b && abs(x - y) <= tolerance * max(1, abs(y))
        }
    }
}
