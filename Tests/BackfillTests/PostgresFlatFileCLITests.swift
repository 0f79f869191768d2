import BackfillCore
import Foundation
import Ingestion
import PolygonSandbox
import PostgresStore
import Storage
import Testing

/// `scraper --flatfiles-dir … --db postgres://…` and `--sandbox --flatfiles --db postgres://…`:
/// day files into PostgreSQL, compared with the same run into SQLite through the store protocols.
@Suite("scraper flat files into PostgreSQL")
struct PostgresFlatFileCLITests {
    typealias Support = FlatFileTestSupport

    @Test func dayFilesFromAFolderIntoPostgreSQLEqualTheSQLiteRun() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let root = folder.appendingPathComponent("files")
        let faults = FaultInjector()
        let broken = Support.minuteKey("2024-03-12")
        try await Support.sandbox(faults: faults).withRunning { baseURL in
            for day in ["2024-03-11", "2024-03-12", "2024-03-13"] {
                try await Support.copy(
                    DayFileDataset.dayAggregates.key(TestSupport.date(day)), from: baseURL, into: root)
                if Support.minuteKey(day) != broken {
                    try await Support.copy(Support.minuteKey(day), from: baseURL, into: root)
                }
            }
            faults.script(.malformedRows(every: 7), pathPrefix: "/flatfiles/" + broken)
            try await Support.copy(broken, from: baseURL, into: root)
        }
        let arguments = ["--flatfiles-dir", root.path, "--all", "--from", "2024-03-11", "--to", "2024-03-13"]
        try await Self.compare(arguments, in: folder, range: TestSupport.range("2024-03-11", "2024-03-13")) {
            sqlite, postgres in
            let quarantined = try await postgres.quarantinedRows(limit: 100_000)
            #expect(quarantined.total > 10 && quarantined.rows.allSatisfy { $0.source == broken })
            // Both runs saved their report in PostgreSQL: the first timed one write per day file.
            let runs = try await postgres.recentRuns(limit: 10)
            let writes = try runs.map { run in
                let report = try #require(run.report, "a flat-file run without its report")
                let object = try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any]
                let progress = try #require(object?["progress"] as? [String: Any], "\(report)")
                return try LatencyCLITests.histogram(progress["storeWriteLatency"]).count
            }
            #expect(writes.sorted() == [0, try await postgres.tasks(kind: DayFileDataset.taskKind).count], "\(writes)")
        }
    }

    @Test func sandboxS3DayFilesIntoPostgreSQLEqualTheSQLiteRun() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let arguments = [
            "--sandbox", "--flatfiles", "--tickers", "AMD,NVDA", "--from", "2024-01-02", "--to", "2024-01-05",
            "--phases", "daily,minute",
        ]
        try await Self.compare(arguments, in: folder, range: TestSupport.range("2024-01-02", "2024-01-05")) { _, _ in }
    }

    /// Runs `arguments` into a SQLite file and twice into a new PostgreSQL database (the second run
    /// stores nothing), then expects the same bars, coverage, ledger, tasks, quarantine and
    /// indicator states in both.
    static func compare(
        _ arguments: [String], in folder: URL, range: DayRange,
        _ more: (SQLiteBarStore, PostgresBarStore) async throws -> Void
    ) async throws {
        let sqlitePath = folder.appendingPathComponent("flat.sqlite").path
        let sqliteRun = try await ScraperCLITests.run(arguments + ["--db", sqlitePath], in: folder)
        #expect(sqliteRun.status == 0, "\(sqliteRun.all)")
        #expect(sqliteRun.stdout.contains("Flat files completed"), "\(sqliteRun.stdout)")
        try await PostgresTestSupport.withDatabase { (settings) async throws in
            let url = "postgres://\(settings.user)@\(settings.host):\(settings.port)/\(settings.database)"
            let environment = ["DB_PASSWORD": settings.password ?? ""]
            let first = try await ScraperCLITests.run(arguments + ["--db", url], in: folder, environment: environment)
            #expect(first.status == 0, "\(first.all)")
            #expect(first.stdout.contains("Flat files completed") && first.stdout.contains(url), "\(first.stdout)")
            let again = try await ScraperCLITests.run(arguments + ["--db", url], in: folder, environment: environment)
            #expect(again.status == 0 && again.stdout.contains("0 stored, 0 failed"), "\(again.all)")

            let sqlite = try SQLiteBarStore(path: sqlitePath)
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { (postgres) async throws in
                let symbols = Set(try await sqlite.inventory().map(\.symbol)).sorted()
                #expect(symbols.count >= 2)
                try await PostgresCLITests.expectSameContent(sqlite, postgres, symbols: symbols, range: range)
                #expect(
                    try await postgres.coverage(symbol: BarStoreSymbols.allTickers, timeframe: .minute)
                        == sqlite.coverage(symbol: BarStoreSymbols.allTickers, timeframe: .minute))
                let tasks = try await postgres.tasks(kind: DayFileDataset.taskKind)
                let storedTasks = try await sqlite.tasks(kind: DayFileDataset.taskKind)
                #expect(!tasks.isEmpty && Self.comparable(tasks) == Self.comparable(storedTasks))
                #expect(try await postgres.taskSummary().map(\.count) == sqlite.taskSummary().map(\.count))
                let quarantined = try await postgres.quarantinedRows(limit: 100_000)
                let expected = try await sqlite.quarantinedRows(limit: 100_000)
                #expect(quarantined.total == expected.total && quarantined.rows == expected.rows)
                for timeframe in [Timeframe.minute, .day] {
                    let states = try await postgres.indicatorStates(timeframe: timeframe)
                    let storedStates = try await sqlite.indicatorStates(timeframe: timeframe)
                    #expect(!states.isEmpty && states == storedStates)
                }
                try await more(sqlite, postgres)
            }
        }
    }

    /// Tasks without the instants they were written at.
    static func comparable(_ tasks: [String: StoredTask]) -> [String: StoredTask] {
        tasks.mapValues { task in
            var copy = task
            copy.updatedAtMs = 0
            return copy
        }
    }
}
