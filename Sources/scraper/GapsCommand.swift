import ArgumentParser
import BackfillCore
import Foundation
import Ingestion
import Storage

/// `scraper gaps`: per ticker and session, expected vs stored regular-session minutes, and the holes.
struct GapsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract: "Show completeness per ticker and session: complete, partial (with the missing minutes) or missing.")

    @Option(help: "SQLite database file.")
    var db = "./backfill.sqlite"

    @Option(help: "Comma-separated tickers (default: every ticker with minute bars).")
    var tickers: String?

    @Option(help: "First New York date (YYYY-MM-DD); default: 30 days before --to.")
    var from: String?

    @Option(help: "Last New York date (YYYY-MM-DD); default: yesterday.")
    var to: String?

    @Option(help: "How many partial or missing sessions to list per ticker.")
    var show = 10

    func validate() throws {
        guard FileManager.default.fileExists(atPath: db) else { throw ValidationError("no database at '\(db)'") }
        if let from, LocalDate(from) == nil { throw ValidationError("--from must be YYYY-MM-DD, got '\(from)'") }
        if let to, LocalDate(to) == nil { throw ValidationError("--to must be YYYY-MM-DD, got '\(to)'") }
    }

    func run() async throws {
        let store = try SQLiteBarStore(path: db)
        let today = EasternTime.date(containing: Int64(Date().timeIntervalSince1970 * 1_000))
        let last = to.flatMap { LocalDate($0) } ?? today.adding(days: -1)
        guard let range = DayRange(from.flatMap { LocalDate($0) } ?? last.adding(days: -30), last) else {
            throw ValidationError("--from is after --to")
        }
        var symbols = tickers.map(Symbol.parseList) ?? []
        if tickers == nil {
            symbols = Set(try await store.inventory().filter { $0.timeframe == "1m" }.map(\.symbol)).sorted()
        }
        let report = try await CompletenessReport.make(store: store, symbols: symbols, range: range)
        var lines = ["Completeness of regular-session minutes, \(range.first) to \(range.last), \(db)"]
        for symbol in symbols {
            let counts = report.counts(for: symbol)
            let rows = report.rows.filter { $0.symbol == symbol }
            let share = SessionCoverage.completeness(of: rows.filter { $0.status != .missing }.map(\.coverage))
            lines.append(
                "  \(symbol): \(counts[.complete] ?? 0) complete, \(counts[.partial] ?? 0) partial, "
                    + "\(counts[.missing] ?? 0) missing sessions; \(String(format: "%.2f", share * 100))% of fetched minutes present"
            )
            for row in rows.filter({ $0.status != .complete }).prefix(show) {
                let c = row.coverage
                let holes = c.gaps.prefix(4).map(\.description).joined(separator: ", ")
                lines.append("    \(c.date) \(row.status.rawValue) \(c.receivedMinutes)/\(c.expectedMinutes) \(holes)")
            }
        }
        if symbols.isEmpty { lines.append("  no minute bars stored") }
        print(lines.joined(separator: "\n"))
    }
}
