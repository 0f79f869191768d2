import BackfillCore
import Foundation
import Testing

@Suite("Dates and ranges")
struct LocalDateTests {
    @Test(arguments: ["1970-01-01", "2000-02-29", "2024-12-31", "1969-07-20", "2035-12-31", "1600-03-01"])
    func roundTripsThroughText(text: String) throws {
        let date = try #require(LocalDate(text))
        #expect(date.description == text)
        #expect(LocalDate(daysSinceEpoch: date.daysSinceEpoch) == date)
    }

    @Test(arguments: ["2023-02-29", "2024-13-01", "2024-00-10", "24-01-01", "2024-1-01", "abcd-ef-gh", ""])
    func rejectsInvalidText(text: String) {
        #expect(LocalDate(text) == nil)
    }

    /// Agreement with Foundation's Gregorian calendar in UTC for every day of 1990–2040.
    @Test func matchesFoundationCalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        for days in stride(from: 7_305, through: 25_567, by: 1) {
            let date = LocalDate(daysSinceEpoch: days)
            let parts = calendar.dateComponents(
                [.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(days) * 86_400))
            #expect(date.year == parts.year && date.month == parts.month && date.day == parts.day)
            #expect(date.isoWeekday == ((parts.weekday! + 5) % 7) + 1)
        }
    }

    @Test func utcMillisecondsBeforeEpochFloor() {
        #expect(LocalDate(utcMilliseconds: -1).description == "1969-12-31")
        #expect(LocalDate(utcMilliseconds: 0).description == "1970-01-01")
        #expect(LocalDate(utcMilliseconds: 86_399_999).description == "1970-01-01")
    }

    @Test func addingYearsClampsLeapDay() throws {
        #expect(try #require(LocalDate("2024-02-29")).adding(years: -1).description == "2023-02-28")
        #expect(try #require(LocalDate("2026-11-29")).adding(years: -2).description == "2024-11-29")
    }

    @Test func easternTimeFollowsDaylightSaving() throws {
        // 2005-04-01 00:00 EST and 2005-04-04 00:00 EDT, as in Polygon's recorded daily bars.
        #expect(
            EasternTime.utcMilliseconds(on: try #require(LocalDate("2005-04-01")), minutesAfterMidnight: 0)
                == 1_112_331_600_000)
        #expect(
            EasternTime.utcMilliseconds(on: try #require(LocalDate("2005-04-04")), minutesAfterMidnight: 0)
                == 1_112_587_200_000)
        #expect(EasternTime.date(containing: 1_112_587_200_000).description == "2005-04-04")
        #expect(EasternTime.date(containing: 1_112_587_200_000 - 1).description == "2005-04-03")
    }

    @Test func sessionHoursAreInNewYorkTime() throws {
        let session = SessionHours.standard(on: try #require(LocalDate("2024-07-01")))
        #expect(session.regularOpenMs == 1_719_840_600_000)  // 13:30Z = 09:30 EDT
        #expect(session.regularCloseMs - session.regularOpenMs == 390 * 60_000)
        #expect(session.postMarketCloseMs - session.preMarketOpenMs == 16 * 3_600_000)
        let early = SessionHours.standard(on: try #require(LocalDate("2024-11-29")), earlyClose: true)
        #expect(early.regularCloseMs - early.regularOpenMs == 210 * 60_000)
    }
}

@Suite("DayRange")
struct DayRangeTests {
    func r(_ a: String, _ b: String) -> DayRange { DayRange(LocalDate(a)!, LocalDate(b)!)! }

    @Test func subtractingCoveredLeavesTheHoles() {
        let wanted = r("2024-01-01", "2024-12-31")
        let covered = [r("2024-03-01", "2024-03-31"), r("2023-06-01", "2024-01-15"), r("2024-04-01", "2024-04-30")]
        #expect(wanted.subtracting(covered) == [r("2024-01-16", "2024-02-29"), r("2024-05-01", "2024-12-31")])
        #expect(wanted.subtracting([r("2020-01-01", "2030-01-01")]).isEmpty)
        #expect(wanted.subtracting([]) == [wanted])
        #expect(wanted.subtracting([r("2025-01-01", "2025-02-01")]) == [wanted])
    }

    @Test func chunksAreContiguousAndBounded() {
        let range = r("2024-01-01", "2024-03-15")
        let chunks = range.chunked(maxDays: 30)
        #expect(chunks.first?.first == range.first && chunks.last?.last == range.last)
        #expect(chunks.allSatisfy { $0.dayCount <= 30 })
        for (a, b) in zip(chunks, chunks.dropFirst()) { #expect(a.last.adding(days: 1) == b.first) }
        #expect(chunks.map(\.dayCount).reduce(0, +) == range.dayCount)
    }

    @Test func mergeJoinsAdjacentAndOverlapping() {
        #expect(
            DayRange.merged([
                r("2024-01-05", "2024-01-09"), r("2024-01-01", "2024-01-04"), r("2024-01-08", "2024-01-20"),
            ])
                == [r("2024-01-01", "2024-01-20")])
    }
}

@Suite("New York midnight on daylight-saving days")
struct EasternMidnightTests {
    @Test(arguments: ["2025-03-09", "2025-11-02", "2024-03-10", "2024-11-03"])
    func midnightIsInTheRightDay(text: String) throws {
        let date = try #require(LocalDate(text))
        let midnight = EasternTime.utcMilliseconds(on: date, minutesAfterMidnight: 0)
        #expect(EasternTime.date(containing: midnight) == date)
        #expect(EasternTime.date(containing: midnight - 1) == date.adding(days: -1))
    }
}
