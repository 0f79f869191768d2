import Foundation
import GRDB
import Testing

/// `scraper repair` through the built binary against the sandbox.
@Suite("scraper repair", .serialized)
struct RepairCLITests {
    static func backfill(_ from: String, _ to: String, db: String, in folder: URL) async throws {
        let outcome = try await ScraperCLITests.run(
            ["--sandbox", "--tickers", "AMD,NVDA", "--from", from, "--to", to, "--db", db], in: folder)
        #expect(outcome.status == 0, "\(outcome.all)")
    }

    @Test func repairFetchesOnlyTheMissingSessionsAndEndsLikeOneWholeRun() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let holed = folder.appendingPathComponent("holed.sqlite").path
        // Two runs leave 01-08 and 01-10 unfetched (01-09 was closed); NVDA also misses 01-14's minutes.
        // The repair fetches daily and minute bars of the holes: 2 + 2 + 1 requests.
        try await Self.backfill("2025-01-06", "2025-01-07", db: holed, in: folder)
        try await Self.backfill("2025-01-13", "2025-01-17", db: holed, in: folder)
        let queue = try DatabaseQueue(path: holed)
        try await queue.write { db in
            let nvda = "(SELECT id FROM securities WHERE ticker = 'NVDA')"
            try db.execute(sql: "DELETE FROM coverage WHERE security_id = \(nvda) AND timeframe = '1m'")
            try db.execute(
                sql: """
                    INSERT INTO coverage (security_id, timeframe, first_day, last_day) VALUES
                        (\(nvda), '1m', '2025-01-06', '2025-01-07'), (\(nvda), '1m', '2025-01-15', '2025-01-17');
                    DELETE FROM ledger WHERE security_id = \(nvda) AND session = '2025-01-14';
                    """)
            // Bars of 01-14 are left in place but not marked: the repair refetches and upserts them.
        }
        try queue.close()

        let dryRun = try await ScraperCLITests.run(["repair", "--sandbox", "--db", holed, "--dry-run"], in: folder)
        #expect(dryRun.status == 0, "\(dryRun.all)")
        #expect(dryRun.stdout.contains("Repairing 5 sessions of 2 tickers"), "\(dryRun.all)")
        #expect(dryRun.stdout.contains("AMD 2025-01-08…2025-01-10"), "\(dryRun.all)")
        #expect(dryRun.stdout.contains("NVDA 2025-01-08…2025-01-10, 2025-01-14…2025-01-14"), "\(dryRun.all)")

        let repair = try await ScraperCLITests.run(["repair", "--sandbox", "--db", holed], in: folder)
        #expect(repair.status == 0, "\(repair.all)")
        #expect(repair.stdout.contains("requests    5 ("), "\(repair.stdout)")

        let whole = folder.appendingPathComponent("whole.sqlite").path
        try await Self.backfill("2025-01-06", "2025-01-17", db: whole, in: folder)
        let repaired = try TestSupport.contents(ofDatabase: holed).filter { !$0.hasPrefix("coverage") }
        let expected = try TestSupport.contents(ofDatabase: whole).filter { !$0.hasPrefix("coverage") }
        let difference = Set(repaired).symmetricDifference(expected).sorted().prefix(4)
        #expect(repaired.count == expected.count && repaired == expected, "differs: \(difference)")

        let again = try await ScraperCLITests.run(["repair", "--sandbox", "--db", holed], in: folder)
        #expect(again.status == 0 && again.stdout.contains("Nothing to repair"), "\(again.all)")
        let gaps = try await ScraperCLITests.run(
            ["gaps", "--db", holed, "--from", "2025-01-06", "--to", "2025-01-17"], in: folder)
        #expect(!gaps.stdout.contains("missing"), "\(gaps.stdout)")
    }

    @Test func repairWithoutADatabaseSaysSo() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let outcome = try await ScraperCLITests.run(["repair", "--sandbox", "--db", "nothing.sqlite"], in: folder)
        #expect(outcome.status != 0 && outcome.stderr.contains("no database at 'nothing.sqlite'"), "\(outcome.all)")
    }

    /// A session missing for many tickers comes back from its day file; below the threshold, REST.
    @Test func aWidelyMissingSessionIsRepairedFromItsDayFile() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let files = ["--sandbox", "--flatfiles", "--tickers", "AMD,NVDA", "--from", "2024-01-02", "--to", "2024-01-05"]
        let holed = folder.appendingPathComponent("holed.sqlite").path
        let first = try await ScraperCLITests.run(files + ["--db", holed], in: folder)
        #expect(first.status == 0, "\(first.all)")
        try Self.knockOut(day: "2024-01-03", tickers: ["AMD", "NVDA"], in: holed)
        let copy = folder.appendingPathComponent("copy.sqlite").path
        try FileManager.default.copyItem(atPath: holed, toPath: copy)

        let repair = try await ScraperCLITests.run(
            ["repair", "--sandbox", "--flatfiles", "--db", holed, "--day-file-threshold", "2"] + Self.january,
            in: folder)
        #expect(repair.status == 0, "\(repair.all)")
        #expect(repair.stdout.contains("From day files: 1 sessions missing for 2 or more tickers"), "\(repair.all)")
        #expect(
            repair.stdout.contains("Flat files completed") && repair.stdout.contains("files       2 stored"),
            "\(repair.stdout)")
        #expect(!repair.stdout.contains("Backfill completed"), "nothing was left for REST: \(repair.stdout)")

        let whole = folder.appendingPathComponent("whole.sqlite").path
        #expect(try await ScraperCLITests.run(files + ["--db", whole], in: folder).status == 0)
        let repaired = try TestSupport.contents(ofDatabase: holed).filter { !$0.hasPrefix("coverage") }
        let expected = try TestSupport.contents(ofDatabase: whole).filter { !$0.hasPrefix("coverage") }
        #expect(
            repaired.count == expected.count && repaired == expected,
            "\(Set(repaired).symmetricDifference(expected).prefix(4))")

        // Above the threshold the same holes go to REST: no day file, two tickers' requests.
        let rest = try await ScraperCLITests.run(
            ["repair", "--sandbox", "--flatfiles", "--db", copy, "--day-file-threshold", "3"] + Self.january, in: folder
        )
        #expect(rest.status == 0 && !rest.stdout.contains("From day files"), "\(rest.all)")
        #expect(rest.stdout.contains("Backfill completed") && rest.stdout.contains("requests    4 ("), "\(rest.stdout)")
        let gaps = try await ScraperCLITests.run(
            ["gaps", "--db", copy, "--from", "2024-01-02", "--to", "2024-01-05"], in: folder)
        #expect(!gaps.stdout.contains("missing"), "\(gaps.stdout)")
    }

    static let january = ["--from", "2024-01-02", "--to", "2024-01-05"]

    /// Deletes a day's minute and daily bars, ledger rows and coverage of `tickers`.
    static func knockOut(day: String, tickers: [String], in path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            for ticker in tickers {
                let id = "(SELECT id FROM securities WHERE ticker = '\(ticker)')"
                try db.execute(
                    sql: """
                        DELETE FROM minute_blocks WHERE security_id = \(id)
                            AND session = CAST(julianday('\(day)') - 2440587.5 AS INTEGER);
                        DELETE FROM bars_day WHERE security_id = \(id)
                            AND t >= strftime('%s', '\(day)') * 1000 AND t < strftime('%s', '\(day)', '+1 day') * 1000;
                        DELETE FROM ledger WHERE security_id = \(id) AND session = '\(day)';
                        DELETE FROM coverage WHERE security_id = \(id);
                        """)
            }
        }
        try queue.close()
    }
}
