import BackfillCore
import Foundation
import GRDB
import Testing

/// The metadata phases through the built `scraper` binary: `--phases`, `--skip-news`, `--dry-run`.
@Suite("scraper phases", .serialized)
struct ReferenceCLITests {
    static func count(_ folder: URL, _ sql: String) throws -> Int {
        try IdentityTests.count(folder.appendingPathComponent("backfill.sqlite").path, sql)
    }

    @Test func phasesDailyAndSkipNewsSkipWhatTheySay() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let base = ["--sandbox", "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-08"]
        let daily = try await ScraperCLITests.run(base + ["--phases", "daily"], in: folder)
        #expect(daily.status == 0, "\(daily.all)")
        #expect(try Self.count(folder, "SELECT COUNT(*) FROM bars_day") == 3)
        #expect(try Self.count(folder, TestSupport.storedMinutesSQL) == 0)
        #expect(try Self.count(folder, "SELECT COUNT(*) FROM sync_state") == 0)
        #expect(try Self.count(folder, "SELECT COUNT(*) FROM securities WHERE composite_figi IS NOT NULL") == 0)
        #expect(!daily.stdout.contains("  reference") && !daily.stdout.contains("  news"))

        let skipNews = try await ScraperCLITests.run(base + ["--skip-news"], in: folder)
        #expect(skipNews.status == 0, "\(skipNews.all)")
        #expect(skipNews.stdout.contains("  reference   1 of 1 fetched") && skipNews.stdout.contains("  actions"))
        #expect(!skipNews.stdout.contains("  news"))
        #expect(try Self.count(folder, "SELECT COUNT(*) FROM sync_state WHERE phase IN ('reference', 'actions')") == 2)
        #expect(try Self.count(folder, "SELECT COUNT(*) FROM sync_state WHERE phase = 'news'") == 0)
        #expect(try Self.count(folder, TestSupport.storedMinutesSQL) > 0)
        #expect(try Self.count(folder, "SELECT COUNT(*) FROM securities") == 1, "the bars' security was identified")

        let everything = try await ScraperCLITests.run(base, in: folder)
        #expect(everything.status == 0, "\(everything.all)")
        #expect(everything.stdout.contains("  reference   0 of 1 fetched (1 already synced)"))
        #expect(everything.stdout.contains("  news        1 of 1 fetched"))
        #expect(try Self.count(folder, "SELECT COUNT(*) FROM sync_state WHERE phase = 'news'") == 1)
    }

    @Test func askingForMetaFetchesFbsDaysTooAndShowsEachUnderItsName() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let arguments = [
            "--sandbox", "--tickers", "META", "--from", "2022-06-01", "--to", "2022-06-15", "--skip-minute",
        ]
        let outcome = try await ScraperCLITests.run(arguments, in: folder)
        #expect(outcome.status == 0, "\(outcome.all)")
        #expect(outcome.stdout.contains("tickers     META, FB") && outcome.stderr.contains("traded as FB"))
        #expect(try Self.count(folder, "SELECT COUNT(*) FROM bars_day_by_ticker WHERE ticker = 'FB'") == 6)
        #expect(try Self.count(folder, "SELECT COUNT(*) FROM bars_day_by_ticker WHERE ticker = 'META'") == 5)
        #expect(try Self.count(folder, "SELECT COUNT(DISTINCT security_id) FROM bars_day") == 1)
        let status = try await ScraperCLITests.run(["status"], in: folder)
        #expect(status.stdout.contains("(formerly FB)"))
        let again = try await ScraperCLITests.run(arguments, in: folder)
        #expect(again.stdout.contains("1d bars     0 received") && again.stdout.contains("requests    0 "))
    }

    @Test func dryRunCountsRequestsPerPhase() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let arguments = ["--tickers", "AMD,NVDA", "--from", "2025-01-02", "--to", "2025-03-31", "--dry-run"]
        let fresh = try await ScraperCLITests.run(arguments + ["--rate-limit", "5"], in: folder)
        #expect(fresh.status == 0, "\(fresh.all)")
        #expect(fresh.stdout.contains("reference   2 to fetch, 0 already synced, ~4 requests"))
        #expect(fresh.stdout.contains("actions     2 to fetch, 0 already synced, ~4 requests"))
        #expect(fresh.stdout.contains("news        2 to fetch, 0 already synced, ~2 requests"))
        #expect(fresh.stdout.contains("total     18 requests"), "8 for bars, 10 for the metadata phases")
        let skipped = try await ScraperCLITests.run(arguments + ["--phases", "daily,news"], in: folder)
        #expect(!skipped.stdout.contains("reference") && skipped.stdout.contains("news        2 to fetch"))
    }

    /// Ctrl-C while the reference phase waits for the rate limit: it stops at once, says how to go
    /// on, and the same command then finishes.
    @Test func ctrlCDuringTheReferencePhaseStopsAtOnceAndTheSameCommandFinishes() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let base = ["--sandbox", "--tickers", "AMD,NVDA", "--from", "2025-01-06", "--to", "2025-01-07"]
        // Two requests a minute: the reference phase's second request waits about 30 s.
        let (process, out, err) = try ScraperCLITests.start(base + ["--rate-limit", "2"], in: folder)
        let deadline = ContinuousClock.now + .seconds(120)  // a loaded machine can take long to start
        while (try? String(contentsOf: err, encoding: .utf8))?.contains("phase reference: started") != true {
            try #require(ContinuousClock.now < deadline, "the reference phase did not start within 120 s")
            try await Task.sleep(for: .milliseconds(10))
        }
        try await Task.sleep(for: .milliseconds(300))
        let sent = ContinuousClock.now
        kill(process.processIdentifier, SIGINT)
        #expect(try await ChildExit.wait(process)?.code == 130)
        #expect(ContinuousClock.now - sent < .seconds(10), "stopped without waiting for the rate limit")
        let printed = try String(contentsOf: out, encoding: .utf8)
        #expect(printed.contains("Interrupted: run the same command again"), "\(printed)")
        #expect(try Self.count(folder, TestSupport.storedMinutesSQL) == 0)
        let again = try await ScraperCLITests.run(base, in: folder)
        #expect(again.status == 0 && again.stdout.contains("reference   2 of 2 fetched"), "\(again.all)")
        #expect(try Self.count(folder, TestSupport.storedMinutesSQL) > 0)
    }
}
