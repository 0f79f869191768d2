import ArgumentParser
import BackfillCore
import Foundation
import PostgresStore
import Storage

/// `scraper status`: what the warehouse holds and how the last runs went.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show stored bars per ticker, completed ranges, tasks by state, quarantined rows and recent runs.")

    @Option(help: "SQLite database file, or postgres://user@host:port/db (password from DB_PASSWORD).")
    var db = StoreChoice.defaultPath

    @Option(help: "How many recent runs to list.")
    var runs = 5

    @Option(help: "How many of the latest quarantined rows to list.")
    var quarantined = 10

    func validate() throws {
        _ = try StoreChoice.existing(db: db, hint: "; run a backfill first or pass --db")
    }

    func run() async throws {
        let choice = try StoreChoice.existing(db: db)
        let lines = try await choice.withOpenStore { store in try await report(store, label: choice.label) }
        print(lines.joined(separator: "\n"))
    }

    private func report(_ store: any WarehouseStore, label: String) async throws -> [String] {
        var lines = [
            "Warehouse \(label)",
            "  ticker      tf   bars         first (UTC)           last (UTC)            complete days",
        ]
        for row in try await store.inventory() {
            let timeframe = Timeframe(label: row.timeframe) ?? .day
            let coverage = try await store.coverage(symbol: row.symbol, timeframe: timeframe)
            let ranges = coverage.map { "\($0.first)…\($0.last)" }.joined(separator: ", ")
            lines.append(
                "  \(row.symbol.padding(10)) \(row.timeframe.padding(4)) \(Format.count(row.bars).padding(12)) "
                    + "\(iso(row.firstMs).padding(21)) \(iso(row.lastMs).padding(21)) \(ranges.isEmpty ? "-" : ranges)"
                    + (row.formerTickers.isEmpty ? "" : " (formerly \(row.formerTickers.joined(separator: ",")))")
                    + (row.delistedOn.map { " (delisted \($0))" } ?? ""))
        }
        lines += try await taskLines(store)
        lines.append("Recent runs")
        for run in try await store.recentRuns(limit: runs) {
            let seconds = Double(run.finishedAtMs - run.startedAtMs) / 1_000
            lines.append(
                "  \(iso(run.startedAtMs)) \(run.status.padding(11)) \(run.tickers.joined(separator: ",")): "
                    + "\(Format.count(run.barsReceived)) bars, \(Format.count(run.barsChanged)) new or changed, "
                    + "\(run.requests) requests, \(run.errors.count) errors, \(Format.seconds(seconds))")
            for error in run.errors.prefix(3) { lines.append("      - \(error)") }
        }
        return lines
    }

    /// Tasks by kind and state (rows, quarantined rows, recent errors) and the latest quarantined rows.
    private func taskLines(_ store: any WarehouseStore) async throws -> [String] {
        let summary = try await store.taskSummary()
        guard !summary.isEmpty else { return [] }
        var lines = ["Tasks", "  kind        state        count  rows          quarantined  MB"]
        for row in summary {
            lines.append(
                "  \(row.kind.padding(11)) \(row.state.rawValue.padding(12)) \(String(row.count).padding(6)) "
                    + "\(Format.count(row.rows).padding(13)) \(String(row.quarantined).padding(12)) "
                    + Format.megabytes(row.bytes))
            for error in row.errors { lines.append("      - \(error)") }
        }
        let failed = summary.filter { $0.state == .failed }.reduce(0) { $0 + $1.count }
        if failed > 0 { lines.append("  \(failed) failed: run the backfill again with --retry-failed") }
        let (total, rows) = try await store.quarantinedRows(limit: quarantined)
        lines.append("Quarantined rows: \(total)")
        for row in rows { lines.append("  \(row)") }
        if total > rows.count { lines.append("  … \(total - rows.count) more (SELECT * FROM quarantine)") }
        return lines
    }

    private func iso(_ ms: Int64?) -> String {
        guard let ms else { return "-" }
        return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ms) / 1_000))
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
