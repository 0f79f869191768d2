import ArgumentParser
import BackfillCore

/// `scraper calendar`: prints the NYSE sessions of a date range as CSV.
///
/// Parsing and printing only; the rows come from `CalendarCSV` in BackfillCore.
struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Print NYSE (XNYS) trading sessions as CSV.",
        discussion: """
            Columns: date,open_utc,close_utc,early_close (ISO-8601 UTC instants, early_close 0/1).
            With --extended, pre_open_utc,post_close_utc are appended. Dates from \
            \(TradingCalendar.supportedRange.first) to \(TradingCalendar.supportedRange.last).
            """
    )

    @Option(help: "First date, YYYY-MM-DD (inclusive).")
    var from: String = TradingCalendar.supportedRange.first.description

    @Option(help: "Last date, YYYY-MM-DD (inclusive).")
    var to: String = TradingCalendar.supportedRange.last.description

    @Flag(help: "Add the pre-market open (04:00) and post-market close (20:00, 17:00 on early closes).")
    var extended = false

    func validate() throws {
        do {
            _ = try CalendarCSV.dayRange(from: from, to: to)
        } catch {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        let range: DayRange
        do {
            range = try CalendarCSV.dayRange(from: from, to: to)
        } catch {
            throw ValidationError(error.message)
        }
        let csv = CalendarCSV(calendar: TradingCalendar(), includeExtendedHours: extended)
        print(csv.render(range), terminator: "")
    }
}
