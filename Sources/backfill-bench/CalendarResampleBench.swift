import BackfillCore

/// Release-build measurements for the trading calendar and the resampler (issue 3 targets:
/// calendar 2000–2035 built in under 10 ms; 1m → 5m resampling at 20 million input bars/s or more).
enum CalendarResampleBench {
    static func run() {
        print(calendarBuild())
        print(instantLookup())
        print(resampleYear(to: .minutes(5)))
        print(resampleYear(to: .day))
        print(validateAndCoverYear())
    }

    /// Validates one year of minute bars and reports their per-session coverage.
    static func validateAndCoverYear() -> String {
        let calendar = TradingCalendar()
        let bars = minuteBars(year: 2024, calendar: calendar)
        guard let first = bars.first, let last = bars.last,
            let range = DayRange(
                LocalDate(utcMilliseconds: first.windowStartMs), LocalDate(utcMilliseconds: last.windowStartMs))
        else { return "no bars" }
        let clock = ContinuousClock()
        var start = clock.now
        var validator = BarValidator(calendar: calendar)
        let accepted = validator.partition(bars).accepted.count
        let validateRate = Double(bars.count) / (milliseconds(clock.now - start) / 1_000)
        start = clock.now
        let coverage = GapDetector(calendar: calendar).coverage(symbol: "BENCH", bars: bars, in: range)
        let coverRate = Double(bars.count) / (milliseconds(clock.now - start) / 1_000)
        return "validate \(accepted)/\(bars.count) bars: \(format(validateRate / 1e6)) M bars/s; "
            + "coverage of \(coverage.count) sessions: \(format(coverRate / 1e6)) M bars/s, "
            + "completeness \(format(SessionCoverage.completeness(of: coverage)))"
    }

    /// Builds the whole 2000–2035 calendar repeatedly; the first build also loads the tz database.
    static func calendarBuild(repetitions: Int = 30) -> String {
        let clock = ContinuousClock()
        var timings: [Double] = []
        var sessions = 0
        for _ in 0..<repetitions {
            let start = clock.now
            let calendar = TradingCalendar()
            timings.append(milliseconds(clock.now - start))
            sessions &+= calendar.sessions.count
        }
        let sorted = timings.sorted()
        let (first, median, best) = (format(timings[0]), format(sorted[sorted.count / 2]), format(sorted[0]))
        return "calendar build 2000-2035: first \(first) ms, median \(median) ms, best \(best) ms "
            + "(\(sessions / repetitions) sessions)"
    }

    /// Maps random instants of 2000–2035 to their session.
    static func instantLookup(count: Int = 2_000_000) -> String {
        let calendar = TradingCalendar()
        var random = SplitMix64(seed: 42)
        let first = calendar.sessions[0].preMarketOpenMs
        let span = UInt64(calendar.sessions[calendar.sessions.count - 1].postMarketCloseMs - first)
        let instants = (0..<count).map { _ in first + Int64(random.next() % span) }
        let clock = ContinuousClock()
        let start = clock.now
        var hits = 0
        for instant in instants where calendar.sessionIndex(containing: instant) != nil { hits &+= 1 }
        let nanoseconds = milliseconds(clock.now - start) * 1e6 / Double(count)
        return "session lookup for an instant: \(format(nanoseconds)) ns each (\(hits) of \(count) in a session)"
    }

    /// Resamples one year of regular-session minute bars (~98k), best and median of 30 runs.
    static func resampleYear(to interval: ResampleInterval, repetitions: Int = 30) -> String {
        let calendar = TradingCalendar()
        let bars = minuteBars(year: 2024, calendar: calendar)
        let configuration = Resampler.Configuration(interval: interval)
        let clock = ContinuousClock()
        var rates: [Double] = []
        var outputs = 0
        for _ in 0..<repetitions {
            let start = clock.now
            let output = (try? Resampler.resample(bars, calendar: calendar, configuration: configuration)) ?? []
            let seconds = milliseconds(clock.now - start) / 1_000
            outputs = output.count
            rates.append(Double(bars.count) / seconds)
        }
        let sorted = rates.sorted()
        let best = format((sorted.last ?? 0) / 1e6)
        let median = format(sorted[sorted.count / 2] / 1e6)
        return "resample \(bars.count) 1m bars -> \(interval) (\(outputs) bars): "
            + "best \(best) M bars/s, median \(median) M bars/s"
    }

    static func minuteBars(year: Int, calendar: TradingCalendar) -> [Bar] {
        var random = SplitMix64(seed: 1)
        var price = 100.0
        var bars: [Bar] = []
        guard let first = LocalDate(year: year, month: 1, day: 1), let last = LocalDate(year: year, month: 12, day: 31),
            let range = DayRange(first, last)
        else { return [] }
        for hours in calendar.sessions(in: range) {
            for start in stride(from: hours.regularOpenMs, to: hours.regularCloseMs, by: 60_000) {
                let close = max(1, price + (random.nextUnit() - 0.5) * 0.2)
                bars.append(
                    Bar(
                        windowStartMs: start, open: price, high: max(price, close) + 0.01,
                        low: min(price, close) - 0.01,
                        close: close, volume: Double(random.next() % 1_000), vwap: (price + close) / 2,
                        transactions: Int64(random.next() % 50)))
                price = close
            }
        }
        return bars
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1_000 + Double(attoseconds) / 1e15
    }

    private static func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return "\(rounded)"
    }
}
