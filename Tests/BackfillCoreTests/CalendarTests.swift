import BackfillCore
import Testing

@Suite("Trading calendar rules and lookups")
struct CalendarTests {
    static let calendar = TradingCalendar()

    static func date(_ text: String) -> LocalDate {
        guard let date = LocalDate(text) else { preconditionFailure("bad test date \(text)") }
        return date
    }

    static func utc(_ date: String, _ hour: Int, _ minute: Int, _ second: Int = 0) -> Int64 {
        Self.date(date).utcMidnightMilliseconds + Int64((hour * 3_600 + minute * 60 + second) * 1_000)
    }

    @Test(
        "closed days",
        arguments: [
            "2000-04-21", "2001-09-11", "2001-09-14", "2004-06-11", "2004-12-24", "2005-12-26", "2006-01-02",
            "2007-01-02", "2012-10-29", "2012-10-30", "2018-12-05", "2022-06-20", "2025-01-09", "2027-06-18",
            "2033-12-26", "2035-03-23", "2024-03-30",
        ])
    func closed(_ text: String) {
        #expect(!Self.calendar.isSession(Self.date(text)))
        #expect(Self.calendar.session(on: Self.date(text)) == nil)
    }

    @Test(
        "sessions next to holidays",
        arguments: ["2010-12-31", "2021-12-31", "2021-06-18", "2002-07-05", "2022-12-23", "2032-12-31"])
    func open(_ text: String) {
        #expect(Self.calendar.isSession(Self.date(text)))
    }

    @Test("a Saturday New Year's Day is not observed on the Friday before")
    func saturdayNewYear() {
        #expect(Self.calendar.isSession(Self.date("2021-12-31")))
        #expect(Self.calendar.isSession(Self.date("2022-01-03")))
        #expect(!Self.calendar.isSession(Self.date("2023-01-02")))
    }

    @Test(
        "Easter Sunday by computus",
        arguments: [
            ("2000-04-23", 2000), ("2008-03-23", 2008), ("2011-04-24", 2011), ("2019-04-21", 2019),
            ("2024-03-31", 2024), ("2035-03-25", 2035),
        ])
    func easter(_ expected: String, _ year: Int) {
        #expect(NYSEHolidayRules.easterSunday(in: year) == Self.date(expected))
    }

    @Test("early close on the day after Thanksgiving 2024: 09:30-13:00, post-market to 17:00")
    func earlyCloseHours() throws {
        let hours = try #require(Self.calendar.session(on: Self.date("2024-11-29")))
        #expect(hours.preMarketOpenMs == Self.utc("2024-11-29", 9, 0))
        #expect(hours.regularOpenMs == Self.utc("2024-11-29", 14, 30))
        #expect(hours.regularCloseMs == Self.utc("2024-11-29", 18, 0))
        #expect(hours.postMarketCloseMs == Self.utc("2024-11-29", 22, 0))
        #expect(Self.calendar.isEarlyClose(Self.date("2024-11-29")))
        #expect(hours == SessionHours.standard(on: Self.date("2024-11-29"), earlyClose: true))
    }

    @Test("summer time moves the open to 13:30 UTC")
    func daylightSaving() throws {
        #expect(
            try #require(Self.calendar.session(on: Self.date("2024-03-08"))).regularOpenMs
                == Self.utc("2024-03-08", 14, 30))
        #expect(
            try #require(Self.calendar.session(on: Self.date("2024-03-11"))).regularOpenMs
                == Self.utc("2024-03-11", 13, 30))
    }

    @Test("every session equals SessionHours.standard")
    func matchesStandardHours() {
        for (index, hours) in Self.calendar.sessions.enumerated() {
            let early = Self.calendar.isEarlyClose(sessionAt: index)
            #expect(hours == SessionHours.standard(on: hours.date, earlyClose: early))
        }
    }

    @Test("previous and next sessions skip holidays and weekends")
    func neighbours() {
        let calendar = Self.calendar
        #expect(calendar.nextSession(after: Self.date("2024-12-24"))?.date == Self.date("2024-12-26"))
        #expect(calendar.previousSession(before: Self.date("2025-01-02"))?.date == Self.date("2024-12-31"))
        #expect(calendar.nextSession(after: Self.date("2001-09-10"))?.date == Self.date("2001-09-17"))
        #expect(calendar.previousSession(before: Self.date("2024-03-30"))?.date == Self.date("2024-03-28"))
        #expect(calendar.nextSession(after: Self.date("2035-12-31")) == nil)
        #expect(calendar.previousSession(before: Self.date("2000-01-03")) == nil)
        #expect(calendar.nextSession(after: Self.date("1999-06-01"))?.date == Self.date("2000-01-03"))
    }

    @Test("sessions in a range are clipped to the supported range")
    func sessionsInRange() throws {
        let calendar = Self.calendar
        let week = try #require(DayRange(Self.date("2024-12-23"), Self.date("2024-12-29")))
        #expect(
            calendar.sessions(in: week).map(\.date.description) == [
                "2024-12-23", "2024-12-24", "2024-12-26", "2024-12-27",
            ])
        let wide = try #require(DayRange(Self.date("1990-01-01"), Self.date("2050-01-01")))
        #expect(calendar.sessions(in: wide).count == calendar.sessions.count)
        let holiday = try #require(DayRange(Self.date("2024-12-25"), Self.date("2024-12-25")))
        #expect(calendar.sessions(in: holiday).isEmpty)
    }

    @Test("an instant maps to the session whose extended hours contain it")
    func sessionContainingInstant() {
        let calendar = Self.calendar
        #expect(calendar.session(containing: Self.utc("2024-01-02", 9, 0))?.date == Self.date("2024-01-02"))
        #expect(calendar.session(containing: Self.utc("2024-01-02", 8, 59, 59)) == nil)
        #expect(calendar.session(containing: Self.utc("2024-01-03", 0, 59, 59))?.date == Self.date("2024-01-02"))
        #expect(calendar.session(containing: Self.utc("2024-01-03", 1, 0)) == nil)
        #expect(calendar.session(containing: Self.utc("2024-07-02", 0, 0)) == nil)
        #expect(calendar.session(containing: Self.utc("2024-07-01", 23, 59))?.date == Self.date("2024-07-01"))
        #expect(calendar.session(containing: Self.utc("2024-11-29", 21, 59))?.date == Self.date("2024-11-29"))
        #expect(calendar.session(containing: Self.utc("2024-11-29", 22, 0)) == nil)
        #expect(calendar.session(containing: Self.utc("2024-12-25", 15, 0)) == nil)
    }

    @Test("instant lookup agrees with a linear scan", arguments: [1, 2, 3])
    func instantLookupMatchesScan(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let calendar = Self.calendar
        let start = Self.utc("2000-01-01", 0, 0)
        let span = Self.utc("2035-12-31", 0, 0) - start
        for _ in 0..<500 {
            let instant = start + Int64(random.next() % UInt64(span))
            let scanned = calendar.sessions.first { $0.preMarketOpenMs <= instant && instant < $0.postMarketCloseMs }
            #expect(calendar.session(containing: instant) == scanned)
        }
    }
}
