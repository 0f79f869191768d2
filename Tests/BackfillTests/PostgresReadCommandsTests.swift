import BackfillCore
import Foundation
import PostgresStore
import Storage
import Testing

/// `scraper status|gaps|repair|export|live --db postgres://…` as built binaries, side by side with
/// the same commands on a SQLite file holding the same sandbox data.
@Suite("scraper reads and repairs PostgreSQL", .serialized)
struct PostgresReadCommandsTests {
    static let tickers = ["--tickers", "AMD,NVDA"]
    static let january = ["--from", "2025-01-06", "--to", "2025-01-17"]

    /// One session knocked out of both warehouses: gaps and status say the same of both, repair
    /// fetches it back into both, and then both hold the same bars, ledger and coverage.
    @Test func gapsStatusAndRepairSayAndDoTheSameOnBothStores() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let sqlite = folder.appendingPathComponent("same.sqlite").path
        try await PostgresTestSupport.withDatabase { settings in
            let password = try #require(settings.password)
            let url = "postgres://\(settings.user)@\(settings.host):\(settings.port)/\(settings.database)"
            let environment = ["DB_PASSWORD": password]
            for db in [sqlite, url] {
                let run = try await ScraperCLITests.run(
                    ["--sandbox"] + Self.tickers + Self.january + ["--db", db], in: folder, environment: environment)
                #expect(run.status == 0, "\(run.all)")
            }
            try RepairCLITests.knockOut(day: "2025-01-08", tickers: ["NVDA"], in: sqlite)
            try await Self.knockOut(day: "2025-01-08", ticker: "NVDA", in: settings)

            // What each command prints, with the database's name (the only difference) taken out.
            let run = { (arguments: [String], db: String) async throws -> ScraperCLITests.Outcome in
                let outcome = try await ScraperCLITests.run(
                    arguments + ["--db", db], in: folder, environment: environment)
                #expect(outcome.status == 0, "\(arguments) \(db): \(outcome.all)")
                #expect(!outcome.all.contains(password))
                return outcome
            }
            let gaps = ["gaps"] + Self.january
            let before = try await run(gaps, sqlite).stdout
            #expect(before.contains("2025-01-08 missing"), "\(before)")
            #expect(try await run(gaps, url).stdout == before.replacingOccurrences(of: sqlite, with: url))
            #expect(
                try await run(gaps + ["--format", "csv"], url).stdout == run(gaps + ["--format", "csv"], sqlite).stdout)
            let status = try await run(["status"], sqlite).stdout
            #expect(status.contains("NVDA") && status.contains("Recent runs"), "\(status)")
            #expect(
                try Self.stored(try await run(["status"], url).stdout, db: url) == Self.stored(status, db: sqlite),
                "the inventory and coverage lines")

            for db in [sqlite, url] {
                let repair = try await run(["repair", "--sandbox"] + Self.january, db)
                #expect(repair.stdout.contains("Repairing 1 sessions of 1 tickers"), "\(repair.stdout)")
                #expect(repair.stdout.contains("NVDA 2025-01-08…2025-01-08"), "\(repair.stdout)")
                #expect(!(try await run(gaps, db).stdout.contains("missing")))
            }
            let export = ["export", "--tickers", "AMD,NVDA", "--from", "2025-01-06", "--to", "2025-01-17"]
            let csv = try await run(export, sqlite).stdout
            #expect(csv.split(separator: "\n").count > 2 * 9 * 390, "nine sessions of two tickers")
            #expect(try await run(export, url).stdout == csv)
            #expect(
                try await run(export + ["--timeframe", "1d", "--adjust", "all"], url).stdout
                    == run(export + ["--timeframe", "1d", "--adjust", "all"], sqlite).stdout)
            let store = try SQLiteBarStore(path: sqlite)
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { postgres in
                try await PostgresCLITests.expectSameContent(
                    store, postgres, symbols: ["AMD", "NVDA"], range: TestSupport.range("2025-01-06", "2025-01-17"))
            }
        }
    }

    @Test func readCommandsOnAnUnreachableServerSayOneLine() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let port = try RedisServer.freePort()
        for command in [["status"], ["gaps"], ["export"], ["repair", "--sandbox"]] {
            let outcome = try await ScraperCLITests.run(
                command + ["--db", "postgres://backfill:Sup3rSecret@127.0.0.1:\(port)/warehouse"], in: folder)
            #expect(outcome.status == 1, "\(command): \(outcome.all)")
            let errors = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(
                errors == [
                    "error: cannot reach PostgreSQL at 127.0.0.1:\(port) (connection refused): "
                        + "is the server running and listening there? Check DB_HOST/DB_PORT or the host and port of the --db URL"
                ],
                "\(command): \(outcome.all)")
            #expect(!outcome.all.contains("Sup3rSecret"))
        }
    }

    /// `scraper live --db postgres://…`: the sandbox's replayed minutes stored in PostgreSQL.
    @Test func liveStoresIntoPostgreSQL() async throws {
        let folder = try TestSupport.temporaryDirectory()
        try await PostgresTestSupport.withDatabase { settings in
            let password = try #require(settings.password)
            let url = "postgres://\(settings.user)@\(settings.host):\(settings.port)/\(settings.database)"
            let live = try await ScraperCLITests.run(
                [
                    "live", "--sandbox", "--tickers", "AAPL", "--duration", "4", "--sandbox-speed", "600",
                    "--sandbox-start", "2025-01-06T10:00", "--no-catch-up", "--db", url,
                ], in: folder, environment: ["DB_PASSWORD": password])
            #expect(live.status == 0, "\(live.all)")
            #expect(live.stdout.contains("into \(url)") && !live.all.contains(password), "\(live.all)")
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { store in
                let day = TestSupport.date("2025-01-06")
                let bars = try await store.bars(
                    symbol: "AAPL", timeframe: .minute,
                    fromMs: EasternTime.utcMilliseconds(on: day, minutesAfterMidnight: 600),
                    toMs: EasternTime.utcMilliseconds(on: day, minutesAfterMidnight: 24 * 60), limit: 10_000)
                #expect(bars.count >= 5, "\(live.all)")
                #expect(bars.map(\.windowStartMs) == bars.map(\.windowStartMs).sorted())
            }
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("backfill.sqlite").path))
        }
    }

    /// The lines of `scraper status` that describe stored data (not the runs, which differ in time).
    static func stored(_ status: String, db: String) throws -> [String] {
        let lines = status.split(separator: "\n").map(String.init)
        #expect(lines.first == "Warehouse \(db)")
        let end = try #require(lines.firstIndex(of: "Recent runs"))
        return Array(lines[1..<end])
    }

    /// What `RepairCLITests.knockOut` does to a SQLite file: a day's bars, ledger row and the
    /// ticker's coverage gone.
    static func knockOut(day: String, ticker: String, in settings: PostgresSettings) async throws {
        let date = TestSupport.date(day)
        let (from, until) = (
            EasternTime.utcMilliseconds(on: date, minutesAfterMidnight: 0),
            EasternTime.utcMilliseconds(on: date.adding(days: 1), minutesAfterMidnight: 0)
        )
        let id = "(SELECT id FROM securities WHERE ticker = '\(ticker)')"
        for statement in [
            "DELETE FROM bars_minute WHERE security_id = \(id) AND t >= \(from) AND t < \(until)",
            "DELETE FROM bars_day WHERE security_id = \(id) AND t >= \(from) AND t < \(until)",
            "DELETE FROM ledger WHERE security_id = \(id) AND session = '\(day)'",
            "DELETE FROM coverage WHERE security_id = \(id)",
        ] {
            try await PostgresTestSupport.execute(statement, on: settings)
        }
        let left = try await PostgresTestSupport.rows(
            "SELECT count(*)::text FROM bars_minute WHERE security_id = \(id) AND t >= \(from) AND t < \(until)",
            on: settings)
        #expect(left == ["0"])
    }
}
