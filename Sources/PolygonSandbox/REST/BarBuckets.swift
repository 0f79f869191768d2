import BackfillCore

/// Polygon's wider aggregates from minute or daily bars: n-minute and n-hour windows aligned to the
/// New York clock (a 5-minute bar starts at :00, :05…; an hour bar at the hour, pre- and
/// post-market included), n-day bars of consecutive sessions, and weeks starting Sunday 00:00 New York.
enum BarBuckets {
    static func combine(_ bars: [Bar], into timeframe: Timeframe) -> [Bar] {
        guard timeframe.multiplier > 1 || timeframe.unit == .hour || timeframe.unit == .week else { return bars }
        var result: [Bar] = []
        var currentKey: Int64?
        var dayCount = 0
        for bar in bars {
            let key: Int64
            switch timeframe.unit {
            case .minute, .hour:
                let width = Int64(timeframe.multiplier) * (timeframe.unit == .hour ? 3_600_000 : 60_000)
                let midnight = EasternTime.utcMilliseconds(
                    on: EasternTime.date(containing: bar.windowStartMs), minutesAfterMidnight: 0)
                key = midnight + (bar.windowStartMs - midnight) / width * width
            case .day:
                if currentKey == nil || dayCount == timeframe.multiplier { dayCount = 0 }
                key = dayCount == 0 ? bar.windowStartMs : currentKey!
                dayCount += 1
            case .week:
                let date = EasternTime.date(containing: bar.windowStartMs)
                let sunday = date.adding(days: -(date.isoWeekday % 7))
                let weeks = Int64(timeframe.multiplier)
                let weekIndex = Int64((sunday.daysSinceEpoch + 4) / 7) / weeks * weeks
                key = EasternTime.utcMilliseconds(
                    on: LocalDate(daysSinceEpoch: Int(weekIndex * 7 - 4)), minutesAfterMidnight: 0)
            }
            if key == currentKey, let last = result.popLast() {
                result.append(merge(last, bar))
            } else {
                var first = bar
                first.windowStartMs = key
                result.append(first)
                currentKey = key
            }
        }
        return result
    }

    private static func merge(_ a: Bar, _ b: Bar) -> Bar {
        let volume = a.volume + b.volume
        let notional = (a.vwap ?? a.close) * a.volume + (b.vwap ?? b.close) * b.volume
        let vwap = volume > 0 ? (notional / volume * 10_000).rounded() / 10_000 : b.close
        return Bar(
            windowStartMs: a.windowStartMs, open: a.open, high: max(a.high, b.high), low: min(a.low, b.low),
            close: b.close,
            volume: volume, vwap: min(max(vwap, min(a.low, b.low)), max(a.high, b.high)),
            transactions: (a.transactions ?? 0) + (b.transactions ?? 0))
    }
}
