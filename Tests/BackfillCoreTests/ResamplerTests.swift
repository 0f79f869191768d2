import BackfillCore
import Testing

@Suite("Resampling minute bars along the session")
struct ResamplerTests {
    typealias Data = ResamplingTestData
    static let calendar = Data.calendar

    static func resample(_ bars: [Bar], _ interval: ResampleInterval, extended: Bool = false) throws -> [Bar] {
        try Resampler.resample(
            bars, calendar: calendar,
            configuration: .init(interval: interval, includeExtendedHours: extended))
    }

    static func utc(_ date: String, _ hour: Int, _ minute: Int) -> Int64 {
        Data.date(date).utcMidnightMilliseconds + Int64((hour * 60 + minute) * 60_000)
    }

    @Test(
        "coarsening in two steps equals one step",
        arguments: [(1, 5), (5, 15), (15, 60), (30, 240), (5, 30), (60, 240)], [false, true])
    func twoStepsEqualOne(_ steps: (middle: Int, target: Int), _ extended: Bool) throws {
        let (middle, target) = steps
        let minutes = Data.minuteBars(from: "2024-11-25", to: "2024-12-03", dropEvery: 9)
        let direct = try Self.resample(minutes, .minutes(target), extended: extended)
        let staged = try Self.resample(
            try Self.resample(minutes, .minutes(middle), extended: extended), .minutes(target), extended: extended)
        #expect(!direct.isEmpty)
        #expect(Data.nearlyEqual(staged, direct))
    }

    @Test("daily and weekly from coarser bars equal them from minutes", arguments: [false, true])
    func dailyFromCoarser(_ extended: Bool) throws {
        let minutes = Data.minuteBars(from: "2024-06-27", to: "2024-07-12", dropEvery: 5)
        let fifteen = try Self.resample(minutes, .minutes(15), extended: extended)
        for interval in [ResampleInterval.day, .week] {
            let direct = try Self.resample(minutes, interval, extended: extended)
            #expect(Data.nearlyEqual(try Self.resample(fifteen, interval, extended: extended), direct))
        }
    }

    @Test("daily bars from minutes equal the provider's daily bars", arguments: [false, true])
    func dailyMatchesProvider(_ extended: Bool) throws {
        let minutes = Data.minuteBars(from: "2024-11-20", to: "2024-12-31", seed: 11, dropEvery: 4)
        let daily = try Self.resample(minutes, .day, extended: extended)
        let range = try #require(DayRange(Data.date("2024-11-20"), Data.date("2024-12-31")))
        let expected = Self.calendar.sessions(in: range).compactMap {
            Data.naiveDaily(minutes, session: $0, extended: extended)
        }
        #expect(Data.nearlyEqual(daily, expected, tolerance: 1e-9))
        #expect(daily.count == 28)
    }

    @Test("hourly buckets on an early close end at 13:00")
    func earlyCloseHourly() throws {
        let minutes = Data.minuteBars(from: "2024-11-29", to: "2024-11-29")
        let hourly = try Self.resample(minutes, .minutes(60))
        #expect(hourly.map(\.windowStartMs) == [9, 10, 11, 12].map { Self.utc("2024-11-29", $0 + 5, 30) })
        let lastHalfHour = minutes.filter {
            $0.windowStartMs >= Self.utc("2024-11-29", 17, 30) && $0.windowStartMs < Self.utc("2024-11-29", 18, 0)
        }
        #expect(hourly.last?.volume == lastHalfHour.reduce(0) { $0 + $1.volume })
        #expect(hourly.last?.close == lastHalfHour.last?.close)
    }

    @Test("extended hourly grid: pre-market runs back from 09:30, post-market starts at 16:00")
    func extendedGrid() throws {
        let minutes = Data.minuteBars(from: "2024-12-02", to: "2024-12-02")
        let starts = try Self.resample(minutes, .minutes(60), extended: true).map(\.windowStartMs)
        var newYork: [(hour: Int, minute: Int)] = [(4, 0), (4, 30), (5, 30), (6, 30), (7, 30), (8, 30)]
        newYork += (9...15).map { (hour: $0, minute: 30) }
        newYork += (16...19).map { (hour: $0, minute: 0) }
        let expected = newYork.map { Self.utc("2024-12-02", $0.hour + 5, $0.minute) }
        #expect(starts == expected)
    }

    @Test(
        "extended 4h buckets never straddle the open or the close",
        arguments: [
            ("2024-12-02", [(4, 0), (5, 30), (9, 30), (13, 30), (16, 0)]),
            ("2024-11-29", [(4, 0), (5, 30), (9, 30), (13, 0)]),  // early close at 13:00
        ])
    func fourHourExtended(_ date: String, _ newYork: [(Int, Int)]) throws {
        let minutes = Data.minuteBars(from: date, to: date)
        let starts = try Self.resample(minutes, .minutes(240), extended: true).map(\.windowStartMs)
        let expected = newYork.map { Self.utc(date, $0.0 + 5, $0.1) }
        #expect(starts == expected)
    }

    @Test(
        "weeks are trading weeks, labelled with the first session",
        arguments: [
            ("2024-01-15", "2024-01-19", "2024-01-16"),  // MLK Monday
            ("2024-12-30", "2025-01-03", "2024-12-30"),  // across New Year
            ("2024-11-25", "2024-11-29", "2024-11-25"),  // Thanksgiving, early close Friday
        ])
    func weekly(_ first: String, _ last: String, _ label: String) throws {
        let minutes = Data.minuteBars(from: first, to: last)
        let weekly = try Self.resample(minutes, .week)
        let daily = try Self.resample(minutes, .day)
        let bar = try #require(weekly.first)
        #expect(weekly.count == 1)
        #expect(bar.windowStartMs == Self.utc(label, 5, 0))
        #expect(bar.volume == daily.reduce(0) { $0 + $1.volume })
        #expect(bar.high == daily.map(\.high).max())
        #expect(bar.open == daily.first?.open)
        #expect(bar.close == daily.last?.close)
    }

    @Test("VWAP falls back to the close without a provider VWAP or without volume")
    func vwapFallback() throws {
        let start = Self.utc("2024-12-02", 14, 30)
        let bars = [
            Bar(windowStartMs: start, open: 10, high: 11, low: 9, close: 10, volume: 100, vwap: nil),
            Bar(windowStartMs: start + 60_000, open: 10, high: 12, low: 10, close: 12, volume: 300, vwap: 11),
            Bar(windowStartMs: start + 300_000, open: 12, high: 12, low: 12, close: 12.5, volume: 0),
        ]
        let out = try Self.resample(bars, .minutes(5))
        let expected: [Double?] = [4_300.0 / 400.0, 12.5]  // (100 × 10 + 300 × 11) / 400, then the close
        #expect(out.map(\.vwap) == expected)
        #expect(out.map(\.transactions) == [nil, nil])
    }
}

@Suite("Resampler as a state machine")
struct ResamplerStateMachineTests {
    static let calendar = ResamplingTestData.calendar
    static let open = ResamplerTests.utc("2024-12-02", 14, 30)

    static func bar(_ ms: Int64, close: Double = 10) -> Bar {
        Bar(windowStartMs: ms, open: 10, high: 11, low: 9, close: close, volume: 1, transactions: 1)
    }

    @Test("a bar of the next bucket finishes the open one; advance and flush finish it too")
    func emission() throws {
        var resampler = try Resampler(calendar: Self.calendar, configuration: .init(interval: .minutes(5)))
        #expect(resampler.consume(Self.bar(Self.open)) == .absorbed)
        #expect(resampler.consume(Self.bar(Self.open + 240_000, close: 12)) == .absorbed)
        #expect(resampler.advance(toUtcMilliseconds: Self.open + 299_999) == nil)
        let action = resampler.consume(Self.bar(Self.open + 300_000))
        guard case .emitted(let finished) = action else {
            Issue.record("expected a finished bar, got \(action)")
            return
        }
        #expect(finished.windowStartMs == Self.open && finished.close == 12 && finished.transactions == 2)
        #expect(resampler.advance(toUtcMilliseconds: Self.open + 600_000)?.windowStartMs == Self.open + 300_000)
        #expect(resampler.flush() == nil)
        #expect(resampler.openBucket == nil)
    }

    @Test("a weekly bucket finishes at the close of the week's last session")
    func weeklyAdvance() throws {
        var resampler = try Resampler(calendar: Self.calendar, configuration: .init(interval: .week))
        #expect(resampler.consume(Self.bar(Self.open)) == .absorbed)
        #expect(resampler.consume(Self.bar(ResamplerTests.utc("2024-12-04", 15, 0))) == .absorbed)
        let fridayClose = ResamplerTests.utc("2024-12-06", 21, 0)
        #expect(resampler.openBucket == Self.open..<fridayClose)
        #expect(resampler.advance(toUtcMilliseconds: fridayClose - 1) == nil)
        let finished = resampler.advance(toUtcMilliseconds: fridayClose)
        let week = try #require(finished)
        #expect(week.windowStartMs == ResamplerTests.utc("2024-12-02", 5, 0) && week.volume == 2)
    }

    @Test("duplicates, late bars and bars outside the included hours are ignored with a reason")
    func ignored() throws {
        var resampler = try Resampler(calendar: Self.calendar, configuration: .init(interval: .minutes(5)))
        #expect(resampler.consume(Self.bar(Self.open - 60_000)) == .ignored(.outsideSessionHours))
        #expect(resampler.consume(Self.bar(Self.open + 60_000)) == .absorbed)
        #expect(resampler.consume(Self.bar(Self.open + 60_000)) == .ignored(.outOfOrder))
        #expect(resampler.consume(Self.bar(Self.open)) == .ignored(.outOfOrder))
        let holiday = ResamplerTests.utc("2024-12-25", 15, 0)
        #expect(resampler.consume(Self.bar(holiday)) == .ignored(.outsideSessionHours))
        #expect(resampler.openBucket == Self.open..<(Self.open + 300_000))
    }

    @Test("timeframes map to intervals; unsupported ones throw")
    func intervals() throws {
        #expect(try ResampleInterval(Timeframe(1, .hour)) == .minutes(60))
        #expect(try ResampleInterval(Timeframe(4, .hour)) == .minutes(240))
        #expect(try ResampleInterval(.day) == .day)
        #expect(throws: CalendarError.self) { try ResampleInterval(Timeframe(2, .day)) }
        #expect(throws: CalendarError.self) { try ResampleInterval(Timeframe(Int.max / 2, .hour)) }
        for minutes in [0, -5, ResampleInterval.maximumMinutes + 1, Int.max] {
            #expect(throws: CalendarError.self) {
                try Resampler(calendar: Self.calendar, configuration: .init(interval: .minutes(minutes)))
            }
        }
        #expect(try ResampleInterval(Timeframe(24, .hour)) == .minutes(ResampleInterval.maximumMinutes))
    }
}
