import BackfillCore
import Testing

@Suite("Calendar CSV for `scraper calendar`")
struct CalendarCSVTests {
    static let calendar = TradingCalendar()

    static func range(_ first: String, _ last: String) throws -> DayRange {
        try CalendarCSV.dayRange(from: first, to: last)
    }

    @Test("regular columns around Thanksgiving 2024")
    func regular() throws {
        let csv = CalendarCSV(calendar: Self.calendar)
        let text = csv.render(try Self.range("2024-11-27", "2024-12-02"))
        #expect(
            text == """
                date,open_utc,close_utc,early_close
                2024-11-27,2024-11-27T14:30:00Z,2024-11-27T21:00:00Z,0
                2024-11-29,2024-11-29T14:30:00Z,2024-11-29T18:00:00Z,1
                2024-12-02,2024-12-02T14:30:00Z,2024-12-02T21:00:00Z,0

                """)
    }

    @Test("extended columns are appended; post-market ends at 17:00 on early closes")
    func extended() throws {
        let csv = CalendarCSV(calendar: Self.calendar, includeExtendedHours: true)
        #expect(csv.header == "date,open_utc,close_utc,early_close,pre_open_utc,post_close_utc")
        let lines = csv.lines(in: try Self.range("2024-07-03", "2024-07-05"))
        #expect(
            lines == [
                "2024-07-03,2024-07-03T13:30:00Z,2024-07-03T17:00:00Z,1,2024-07-03T08:00:00Z,2024-07-03T21:00:00Z",
                "2024-07-05,2024-07-05T13:30:00Z,2024-07-05T20:00:00Z,0,2024-07-05T08:00:00Z,2024-07-06T00:00:00Z",
            ])
    }

    @Test("the whole supported range has one line per session")
    func fullRange() throws {
        let csv = CalendarCSV(calendar: Self.calendar)
        let lines = csv.lines(in: try Self.range("2000-01-01", "2035-12-31"))
        #expect(lines.count == Self.calendar.sessions.count)
        #expect(lines.first == "2000-01-03,2000-01-03T14:30:00Z,2000-01-03T21:00:00Z,0")
    }

    @Test(
        "bad requests fail with a code",
        arguments: [
            ("2024-13-01", "2024-12-31", CalendarError.Code.invalidDate),
            ("20240101", "2024-12-31", .invalidDate),
            ("1999-12-31", "2024-12-31", .dateOutOfRange),
            ("2024-01-01", "2036-01-01", .dateOutOfRange),
            ("2024-02-01", "2024-01-31", .invalidRange),
        ])
    func badRequests(_ first: String, _ last: String, _ code: CalendarError.Code) {
        #expect {
            try CalendarCSV.dayRange(from: first, to: last)
        } throws: { error in
            (error as? CalendarError)?.code == code
        }
    }

    @Test(
        "ISO-8601 rendering",
        arguments: [(Int64(0), "1970-01-01T00:00:00Z"), (1_732_890_600_000, "2024-11-29T14:30:00Z")])
    func iso(_ milliseconds: Int64, _ expected: String) {
        #expect(CalendarCSV.iso8601(milliseconds) == expected)
    }
}
