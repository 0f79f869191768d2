import BackfillCore
import Polygon
import PolygonSandbox
import Testing

/// The core resampler against the provider twin: daily bars resampled from the sandbox's minute
/// bars equal the sandbox's own daily bars, fetched over HTTP like Polygon's.
@Suite("Resampling sandbox data")
struct SandboxResampleTests {
    @Test(arguments: ["AMD", "TpC"])
    func dailyFromMinutesEqualsTheProvidersDailyBars(symbol: String) async throws {
        let range = TestSupport.range("2024-11-25", "2024-12-31")  // Thanksgiving, its early close, Christmas
        let (minutes, daily) = try await TestSupport.sandbox().withRunning { baseURL in
            let client = TestSupport.client(baseURL: baseURL)
            return (
                try await client.aggregates(ticker: symbol, timeframe: .minute, range: range).bars,
                try await client.aggregates(ticker: symbol, timeframe: .day, range: range).bars
            )
        }
        let resampled = try Resampler.resample(
            minutes, calendar: TradingCalendar(), configuration: .init(interval: ResampleInterval(.day)))
        #expect(daily.count == 25)
        #expect(resampled.count == daily.count)
        for (ours, theirs) in zip(resampled, daily) {
            #expect(ours.windowStartMs == theirs.windowStartMs)
            #expect(ours.open == theirs.open && ours.close == theirs.close)
            #expect(ours.high == theirs.high && ours.low == theirs.low)
            #expect(ours.volume == theirs.volume && ours.transactions == theirs.transactions)
            #expect(
                abs((ours.vwap ?? 0) - (theirs.vwap ?? 0)) <= 0.00005 + 1e-12, "the provider rounds VWAP to 4 places")
        }
    }
}

/// Wider aggregates from the sandbox (`range/5/minute`, `range/1/hour`, `range/1/week`…).
@Suite("Sandbox multipliers")
struct SandboxMultiplierTests {
    func fetch(_ timeframe: Timeframe, _ range: DayRange) async throws -> [Bar] {
        try await TestSupport.sandbox().withRunning { baseURL in
            try await TestSupport.client(baseURL: baseURL).aggregates(
                ticker: "AMD", timeframe: timeframe, range: range, pageLimit: 100
            ).bars
        }
    }

    @Test func fiveMinuteBarsMatchTheCoreResamplerInRegularHours() async throws {
        let range = TestSupport.range("2024-11-27", "2024-11-29")
        let minutes = try await fetch(.minute, range)
        let fives = try await fetch(Timeframe(5, .minute), range)
        let calendar = TradingCalendar()
        let regular = fives.filter {
            calendar.session(containing: $0.windowStartMs)?.isRegular(minuteStartingAt: $0.windowStartMs) == true
        }
        let ours = try Resampler.resample(
            minutes, calendar: calendar, configuration: .init(interval: ResampleInterval(Timeframe(5, .minute))))
        #expect(regular.count == ours.count && regular.count == 78 + 42)
        for (theirs, mine) in zip(regular, ours) {
            #expect(
                theirs.windowStartMs == mine.windowStartMs && theirs.open == mine.open && theirs.close == mine.close)
            #expect(theirs.high == mine.high && theirs.low == mine.low && theirs.volume == mine.volume)
        }
        #expect(fives.map(\.volume).reduce(0, +) == minutes.map(\.volume).reduce(0, +))
    }

    @Test func hoursWeeksAndMultiDayBarsConserveVolume() async throws {
        let range = TestSupport.range("2025-03-03", "2025-03-28")
        let minutes = try await fetch(.minute, range)
        let hours = try await fetch(Timeframe(1, .hour), range)
        #expect(hours.allSatisfy { $0.windowStartMs % 3_600_000 == 0 })
        #expect(hours.map(\.volume).reduce(0, +) == minutes.map(\.volume).reduce(0, +))
        let days = try await fetch(.day, range)
        let weeks = try await fetch(Timeframe(1, .week), range)
        let pairs = try await fetch(Timeframe(2, .day), range)
        #expect(days.count == 20 && weeks.count == 4 && pairs.count == 10)
        #expect(weeks.map(\.volume).reduce(0, +) == days.map(\.volume).reduce(0, +))
        #expect(
            weeks.allSatisfy { EasternTime.date(containing: $0.windowStartMs).isoWeekday == 7 }, "weeks start on Sunday"
        )
        #expect(pairs.first?.open == days.first?.open && pairs.first?.close == days[1].close)
    }
}
