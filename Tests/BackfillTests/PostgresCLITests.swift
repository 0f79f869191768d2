import BackfillCore
import Foundation
import PostgresStore
import Storage
import Testing

/// `scraper --db postgres://…` as a user runs it: a real process against the sandbox and the test
/// cluster, compared row for row with the same run into a SQLite file.
@Suite("scraper into PostgreSQL")
struct PostgresCLITests {
    @Test func aSandboxBackfillIntoPostgreSQLStoresWhatSQLiteStores() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let common = ["--sandbox", "--tickers", "AMD,NVDA", "--from", "2025-01-06", "--to", "2025-01-08"]
        let sqlitePath = folder.appendingPathComponent("run.sqlite").path
        let sqliteRun = try await ScraperCLITests.run(
            common + ["--phases", "daily,minute", "--db", sqlitePath], in: folder)
        #expect(sqliteRun.status == 0, "\(sqliteRun.all)")
        try await PostgresTestSupport.withDatabase { (settings) async throws in
            let password = try #require(settings.password)
            // The password comes from DB_PASSWORD, the rest from the URL.
            let url = "postgres://\(settings.user)@\(settings.host):\(settings.port)/\(settings.database)"
            let first = try await ScraperCLITests.run(
                common + ["--db", url], in: folder, environment: ["DB_PASSWORD": password])
            #expect(first.status == 0, "\(first.all)")
            #expect(first.stderr.contains("skipping the actions,news,reference phases"))
            #expect(first.all.contains(url) && !first.all.contains(password))
            let again = try await ScraperCLITests.run(
                common + ["--db", url], in: folder, environment: ["DB_PASSWORD": password])
            #expect(again.status == 0, "\(again.all)")

            let sqlite = try SQLiteBarStore(path: sqlitePath)
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { (postgres) async throws in
                for symbol in ["AMD", "NVDA"] {
                    for timeframe in [Timeframe.day, .minute] {
                        let expected = try await sqlite.bars(
                            symbol: symbol, timeframe: timeframe, fromMs: 0, toMs: .max, limit: 1_000_000)
                        let stored = try await postgres.bars(
                            symbol: symbol, timeframe: timeframe, fromMs: 0, toMs: .max, limit: 1_000_000)
                        #expect(!expected.isEmpty && stored == expected, "\(symbol) \(timeframe)")
                        #expect(
                            try await postgres.coverage(symbol: symbol, timeframe: timeframe)
                                == sqlite.coverage(symbol: symbol, timeframe: timeframe))
                    }
                    let range = TestSupport.range("2025-01-06", "2025-01-08")
                    #expect(
                        try await postgres.ledger(symbol: symbol, range: range, listing: nil)
                            == sqlite.ledger(symbol: symbol, range: range, listing: nil))
                }
                #expect(try await postgres.inventory() == sqlite.inventory())
                let runs = try await postgres.recentRuns(limit: 5)
                #expect(runs.map(\.status) == ["completed", "completed"])
                #expect(runs.first?.barsChanged == 0, "the second run rewrote nothing")
            }
        }
    }

    @Test func anUnreachableDatabaseIsOneLineWithoutThePassword() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let port = try RedisServer.freePort()
        let outcome = try await ScraperCLITests.run(
            [
                "--sandbox", "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-06",
                "--db", "postgres://backfill:Sup3rSecret@127.0.0.1:\(port)/warehouse",
            ], in: folder)
        #expect(outcome.status == 1)
        let errors = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(
            errors == [
                "error: cannot reach PostgreSQL at 127.0.0.1:\(port) (connection refused): "
                    + "is the server running and listening there? Check DB_HOST/DB_PORT or the host and port of the --db URL"
            ])
        #expect(!outcome.all.contains("Sup3rSecret"))
    }

    /// The original system's keys: `DB_HOST` and friends, `--db` left at its default.
    @Test func dbHostInTheEnvironmentSelectsPostgreSQL() async throws {
        let folder = try TestSupport.temporaryDirectory()
        try await PostgresTestSupport.withDatabase { (settings) async throws in
            let environment = [
                "DB_HOST": settings.host, "DB_PORT": String(settings.port), "DB_NAME": settings.database,
                "DB_USER": settings.user, "DB_PASSWORD": settings.password ?? "",
            ]
            let outcome = try await ScraperCLITests.run(
                ["--sandbox", "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-07", "--skip-minute"],
                in: folder, environment: environment)
            #expect(outcome.status == 0, "\(outcome.all)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("backfill.sqlite").path))
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { (store) async throws in
                let days = try await store.bars(symbol: "AMD", timeframe: .day, fromMs: 0, toMs: .max, limit: 10)
                #expect(days.count == 2)
            }
        }
    }

    /// Subcommands that read SQLite only refuse a PostgreSQL URL, without printing its password.
    @Test func otherSubcommandsRefuseAPostgreSQLURL() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let outcome = try await ScraperCLITests.run(
            ["status", "--db", "postgres://backfill:Sup3rSecret@127.0.0.1:5432/warehouse"], in: folder)
        #expect(outcome.status != 0)
        #expect(
            outcome.stderr.contains(
                "reads a SQLite file only for now, not postgres://backfill:***@127.0.0.1:5432/warehouse"))
        #expect(!outcome.all.contains("Sup3rSecret"))
    }

    @Test func metadataPhasesAskedForByNameAreRefusedClearly() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let settings = try PostgresTestSupport.adminSettings()
        let url = "postgres://\(settings.user)@\(settings.host):\(settings.port)/\(settings.database)"
        let outcome = try await ScraperCLITests.run(
            ["--sandbox", "--tickers", "AMD", "--phases", "reference,daily", "--db", url], in: folder,
            environment: ["DB_PASSWORD": settings.password ?? ""])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("error: the reference phases are not yet available with PostgreSQL"))
    }
}
