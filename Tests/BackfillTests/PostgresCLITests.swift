import BackfillCore
import Foundation
import PostgresStore
import Storage
import Testing

/// `scraper --db postgres://…` as a user runs it: a real process against the sandbox and the test
/// cluster, compared row for row with the same run into a SQLite file.
@Suite("scraper into PostgreSQL")
struct PostgresCLITests {
    /// Every phase (reference, actions, daily, minute, news) into each database, then compared
    /// through the store protocols: the same bars, coverage, ledger, identities, actions, news and
    /// sync marks. FB's days are stored first without reference data, so the second run's
    /// reference phase merges them into META (the rename), as a user upgrading an old store sees.
    @Test func aSandboxBackfillIntoPostgreSQLStoresWhatSQLiteStores() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let runs = [
            ["--sandbox", "--tickers", "FB", "--from", "2022-06-01", "--to", "2022-06-08", "--phases", "daily"],
            ["--sandbox", "--tickers", "META,AMD", "--from", "2022-06-01", "--to", "2022-06-15"],
        ]
        let sqlitePath = folder.appendingPathComponent("run.sqlite").path
        for arguments in runs {
            let sqliteRun = try await ScraperCLITests.run(arguments + ["--db", sqlitePath], in: folder)
            #expect(sqliteRun.status == 0, "\(sqliteRun.all)")
        }
        try await PostgresTestSupport.withDatabase { (settings) async throws in
            let password = try #require(settings.password)
            // The password comes from DB_PASSWORD, the rest from the URL.
            let url = "postgres://\(settings.user)@\(settings.host):\(settings.port)/\(settings.database)"
            for arguments in runs + [runs[1]] {
                let run = try await ScraperCLITests.run(
                    arguments + ["--db", url], in: folder, environment: ["DB_PASSWORD": password])
                #expect(run.status == 0, "\(run.all)")
                #expect(!run.stderr.contains("skipping") && !run.stderr.contains("not yet available"))
                #expect(run.all.contains(url) && !run.all.contains(password))
            }

            let sqlite = try SQLiteBarStore(path: sqlitePath)
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { (postgres) async throws in
                let range = TestSupport.range("2022-06-01", "2022-06-15")
                try await Self.expectSameContent(sqlite, postgres, symbols: ["AMD", "META"], range: range)
                var articles = 0
                var dividends = 0
                for symbol in ["AMD", "META", "FB"] {
                    let security = try #require(try await postgres.security(ticker: symbol))
                    let expected = try await sqlite.security(ticker: symbol)
                    #expect(security.ticker == expected?.ticker && security.identity == expected?.identity)
                    #expect(security.identity.compositeFIGI != nil, "the reference phase ran")
                    let actions = try await postgres.corporateActions(symbol: symbol)
                    let stored = try await sqlite.corporateActions(symbol: symbol)
                    #expect(actions.splits == stored.splits && actions.dividends == stored.dividends)
                    let news = try await postgres.news(symbol: symbol, fromMs: 0, toMs: .max, limit: 1_000)
                    #expect(try await news == sqlite.news(symbol: symbol, fromMs: 0, toMs: .max, limit: 1_000))
                    articles += news.count
                    dividends += actions.dividends.count
                    for phase in ["reference", "actions", "news"] {
                        #expect(
                            try await postgres.syncState(phase: phase, scope: symbol)
                                == sqlite.syncState(phase: phase, scope: symbol), "\(phase) \(symbol)")
                    }
                }
                #expect(articles > 0 && dividends > 0, "the sandbox has news and dividends for these days")
                let meta = try #require(try await postgres.security(ticker: "FB"))
                #expect(meta.ticker == "META" && meta.identity.names.map(\.ticker) == ["FB", "META"])
                let runs = try await postgres.recentRuns(limit: 5)
                #expect(runs.map(\.status) == ["completed", "completed", "completed"])
                #expect(runs.first?.barsChanged == 0, "the repeated run rewrote nothing")
            }
        }
    }

    /// The same bars, coverage, ledger and inventory through both stores.
    static func expectSameContent(
        _ sqlite: SQLiteBarStore, _ postgres: PostgresBarStore, symbols: [String], range: DayRange
    ) async throws {
        #expect(try await postgres.inventory() == sqlite.inventory())
        for symbol in symbols {
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
            #expect(
                try await postgres.ledger(symbol: symbol, range: range, listing: nil)
                    == sqlite.ledger(symbol: symbol, range: range, listing: nil))
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

    @Test func aDryRunIntoPostgreSQLPrintsThePlanAndStoresNothing() async throws {
        let folder = try TestSupport.temporaryDirectory()
        try await PostgresTestSupport.withDatabase { (settings) async throws in
            let url = "postgres://\(settings.user)@\(settings.host):\(settings.port)/\(settings.database)"
            let outcome = try await ScraperCLITests.run(
                [
                    "--sandbox", "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-10", "--dry-run", "--db",
                    url,
                ],
                in: folder, environment: ["DB_PASSWORD": settings.password ?? ""])
            #expect(outcome.status == 0, "\(outcome.all)")
            #expect(outcome.stdout.contains("Plan for AMD 2025-01-06"), "\(outcome.stdout)")
            #expect(outcome.stdout.contains("reference") && outcome.stdout.contains("news"))
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { (store) async throws in
                #expect(try await store.inventory().isEmpty)
                #expect(try await store.syncState(phase: "reference", scope: "AMD") == nil)
            }
        }
    }
}
