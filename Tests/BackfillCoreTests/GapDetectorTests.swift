import BackfillCore
import Testing

@Suite("Gap detection and completeness")
struct GapDetectorTests {
    static let calendar = ResamplingTestData.calendar

    static func range(_ first: String, _ last: String) -> DayRange {
        DayRange(ResamplingTestData.date(first), ResamplingTestData.date(last))!
    }

    static func minute(_ date: String, _ hour: Int, _ minute: Int) -> Bar {
        let ms = ResamplerTests.utc(date, hour, minute)
        return Bar(windowStartMs: ms, open: 1, high: 1, low: 1, close: 1, volume: 1)
    }

    @Test("a complete regular session, a holiday skipped, an early close of 210 minutes")
    func expectedMinutes() {
        let minutes = ResamplingTestData.minuteBars(from: "2024-11-27", to: "2024-11-29")
        let detector = GapDetector(calendar: Self.calendar, scope: .regular)
        let report = detector.coverage(
            symbol: "AMD", bars: Array(minutes.reversed()), in: Self.range("2024-11-27", "2024-11-29"))
        #expect(report.map(\.date.description) == ["2024-11-27", "2024-11-29"])
        #expect(report.map(\.expectedMinutes) == [390, 210])
        #expect(report.allSatisfy { $0.isComplete && $0.gaps.isEmpty && $0.completeness == 1 })
        let extended = GapDetector(calendar: Self.calendar, scope: .extended)
            .coverage(symbol: "AMD", bars: minutes, in: Self.range("2024-11-27", "2024-11-29"))
        #expect(extended.map(\.expectedMinutes) == [960, 780])
        let allComplete = extended.allSatisfy { $0.isComplete }
        #expect(allComplete)
    }

    @Test("gaps are maximal runs, at the edges too; duplicates count once")
    func gapRanges() throws {
        // Regular session of 2024-12-02 is 14:30–21:00 UTC.
        let bars = [
            Self.minute("2024-12-02", 14, 32), Self.minute("2024-12-02", 14, 33), Self.minute("2024-12-02", 14, 33),
            Self.minute("2024-12-02", 14, 40), Self.minute("2024-12-02", 20, 58),
            Self.minute("2024-12-02", 13, 0),  // pre-market: not in the regular scope
        ]
        let report = GapDetector(calendar: Self.calendar)
            .coverage(symbol: "X", bars: bars, in: Self.range("2024-12-02", "2024-12-02"))
        let day = try #require(report.first)
        #expect(day.receivedMinutes == 4)
        #expect(
            day.gaps == [
                MinuteGap(
                    startMs: ResamplerTests.utc("2024-12-02", 14, 30), endMs: ResamplerTests.utc("2024-12-02", 14, 32)),
                MinuteGap(
                    startMs: ResamplerTests.utc("2024-12-02", 14, 34), endMs: ResamplerTests.utc("2024-12-02", 14, 40)),
                MinuteGap(
                    startMs: ResamplerTests.utc("2024-12-02", 14, 41), endMs: ResamplerTests.utc("2024-12-02", 20, 58)),
                MinuteGap(
                    startMs: ResamplerTests.utc("2024-12-02", 20, 59), endMs: ResamplerTests.utc("2024-12-02", 21, 0)),
            ])
        #expect(day.gaps.map(\.minutes).reduce(0, +) + day.receivedMinutes == day.expectedMinutes)
        #expect(abs(day.completeness - 4.0 / 390) < 1e-15)
    }

    @Test("a session with no bar is one gap; completeness sums over sessions")
    func emptySession() {
        let detector = GapDetector(calendar: Self.calendar)
        let report = detector.coverage(
            symbol: "X", bars: [Self.minute("2024-12-03", 14, 30)], in: Self.range("2024-12-02", "2024-12-03"))
        #expect(report.count == 2)
        #expect(report[0].receivedMinutes == 0 && report[0].gaps.count == 1 && report[0].gaps[0].minutes == 390)
        #expect(report[1].receivedMinutes == 1)
        #expect(SessionCoverage.completeness(of: report) == 1.0 / 780)
    }

    @Test("received plus missing equals expected on random gaps", arguments: [3 as UInt64, 5, 50])
    func accounting(_ dropEvery: UInt64) {
        let minutes = ResamplingTestData.minuteBars(from: "2024-07-01", to: "2024-07-08", dropEvery: dropEvery)
        for scope in SessionScope.allCases {
            let report = GapDetector(calendar: Self.calendar, scope: scope)
                .coverage(symbol: "X", bars: minutes, in: Self.range("2024-07-01", "2024-07-08"))
            #expect(report.count == 5)
            for day in report {
                #expect(day.gaps.map(\.minutes).reduce(0, +) + day.receivedMinutes == day.expectedMinutes)
            }
            let received = report.map(\.receivedMinutes).reduce(0, +)
            if scope == .extended { #expect(received == minutes.count) }
        }
    }
}
