import ArgumentParser
import BackfillCore
import Foundation
import Ingestion
import PostgresStore
import Storage

/// `scraper gaps`: the completeness ledger per ticker and session.
struct GapsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract:
            "Show the completeness ledger: per ticker and session, expected and received minutes, source, status.",
        discussion: """
            Status: complete (fetched whole; minutes without a trade show as gap minutes), partial (only part of the
            session is in: live, or a day in progress), missing (not fetched), not listed, holiday.
            'scraper repair' fetches the missing and partial sessions again.
            """)

    @Option(help: "SQLite database file, or postgres://user@host:port/db (password from DB_PASSWORD).")
    var db = StoreChoice.defaultPath

    @Option(help: "Comma-separated tickers (default: every ticker with minute bars).")
    var tickers: String?

    @Option(help: "First New York date (YYYY-MM-DD); default: 30 days before --to.")
    var from: String?

    @Option(help: "Last New York date (YYYY-MM-DD); default: yesterday.")
    var to: String?

    @Option(help: "How many sessions that are not complete to list per ticker.")
    var show = 10

    @Option(help: "'text' (a summary per ticker) or 'csv' (every ticker and session).")
    var format = "text"

    func validate() throws {
        _ = try StoreChoice.existing(db: db)
        if let from, LocalDate(from) == nil { throw ValidationError("--from must be YYYY-MM-DD, got '\(from)'") }
        if let to, LocalDate(to) == nil { throw ValidationError("--to must be YYYY-MM-DD, got '\(to)'") }
        guard format == "text" || format == "csv" else {
            throw ValidationError("--format must be text or csv, got '\(format)'")
        }
    }

    func run() async throws {
        let choice = try StoreChoice.existing(db: db)
        let today = EasternTime.date(containing: Int64(Date().timeIntervalSince1970 * 1_000))
        let range = try GapsCommand.range(from: from, to: to, today: today)
        let (symbols, report) = try await choice.withOpenStore { store in
            var symbols = tickers.map(Symbol.parseList) ?? []
            if tickers == nil { symbols = try await store.ledgerSymbols() }
            let listings = try await CompletenessReport.listings(store: store, symbols: symbols)
            let report = try await CompletenessReport.make(
                store: store, symbols: symbols, range: range, listings: listings)
            return (symbols, report)
        }
        if format == "csv" {
            print(report.csv())
            return
        }
        var lines = ["Completeness of minute bars, \(range.first) to \(range.last), \(choice.label)"]
        for symbol in symbols {
            let counts = report.counts(for: symbol)
            let entries = report.entries.filter { $0.symbol == symbol }
            let complete = entries.filter { $0.status == .complete }
            let expected = complete.reduce(0) { $0 + $1.expected }
            let present = complete.reduce(0) { $0 + min($1.regular, $1.expected) }
            let share = expected == 0 ? 0 : Double(present) / Double(expected) * 100
            let sources = Set(entries.compactMap(\.source?.rawValue)).sorted().joined(separator: "+")
            let listed = LedgerEntry.Status.allCases.compactMap { status in
                counts[status].map { "\($0) \(status.rawValue)" }
            }
            lines.append(
                "  \(symbol): \(listed.joined(separator: ", ")) sessions; "
                    + "\(String(format: "%.2f", share))% of regular minutes of complete sessions have a bar"
                    + (sources.isEmpty ? "" : " (from \(sources))"))
            for entry in entries.filter({ $0.status == .missing || $0.status == .partial }).prefix(show) {
                lines.append(
                    "    \(entry.session) \(entry.status.rawValue) \(entry.regular)/\(entry.expected) regular minutes, "
                        + "\(entry.received) in all\(entry.source.map { " (\($0.rawValue))" } ?? "")")
            }
        }
        if symbols.isEmpty { lines.append("  no minute bars stored") }
        print(lines.joined(separator: "\n"))
    }

    static func range(from: String?, to: String?, today: LocalDate) throws -> DayRange {
        let last = to.flatMap { LocalDate($0) } ?? today.adding(days: -1)
        guard let range = DayRange(from.flatMap { LocalDate($0) } ?? last.adding(days: -30), last) else {
            throw ValidationError("--from is after --to")
        }
        return range
    }
}
