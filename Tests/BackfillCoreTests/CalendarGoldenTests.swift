import BackfillCore
import Foundation
import Testing

/// Compares every XNYS session of 2000–2030 with `exchange_calendars` (see Fixtures/calendar/generate.py).
@Suite("Trading calendar against exchange_calendars XNYS")
struct CalendarGoldenTests {
    struct GoldenSession {
        var date: LocalDate
        var openMs: Int64
        var closeMs: Int64
    }

    static func golden() throws -> [GoldenSession] {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures/calendar/xnys-2000-2030.csv")
        let text = try String(contentsOf: url, encoding: .utf8)
        var sessions: [GoldenSession] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",")
            let date = try #require(LocalDate(fields[0]), "bad date in \(line)")
            let open = try #require(Int64(fields[1]))
            let close = try #require(Int64(fields[2]))
            sessions.append(GoldenSession(date: date, openMs: open * 1_000, closeMs: close * 1_000))
        }
        return sessions
    }

    @Test("same session dates, opens and closes for 2000-2030")
    func everySessionMatches() throws {
        let golden = try Self.golden()
        #expect(golden.count == 7_794)
        let calendar = TradingCalendar()
        let first = try #require(LocalDate("2000-01-01"))
        let last = try #require(LocalDate("2030-12-31"))
        let range = try #require(DayRange(first, last))
        let ours = Array(calendar.sessions(in: range))
        #expect(ours.map(\.date) == golden.map(\.date))
        var mismatches: [String] = []
        for (session, reference) in zip(ours, golden)
        where session.regularOpenMs != reference.openMs || session.regularCloseMs != reference.closeMs {
            mismatches.append("\(reference.date): ours \(session.regularOpenMs)-\(session.regularCloseMs)")
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test("every day of 2000-2030 agrees on session or not")
    func everyDayAgrees() throws {
        let golden = Set(try Self.golden().map(\.date))
        let calendar = TradingCalendar()
        let first = try #require(LocalDate("2000-01-01"))
        let last = try #require(LocalDate("2030-12-31"))
        var disagreements: [LocalDate] = []
        for day in first.daysSinceEpoch...last.daysSinceEpoch {
            let date = LocalDate(daysSinceEpoch: day)
            if calendar.isSession(date) != golden.contains(date) { disagreements.append(date) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test("early-close flags match the 13:00 closes of the reference")
    func earlyClosesMatch() throws {
        let calendar = TradingCalendar()
        for reference in try Self.golden() {
            let early = reference.closeMs - reference.openMs == 210 * 60_000
            #expect(calendar.isEarlyClose(reference.date) == early, "\(reference.date)")
        }
    }
}
