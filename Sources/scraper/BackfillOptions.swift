import ArgumentParser
import BackfillCore
import Ingestion
import PostgresStore

/// The backfill flags, including the original system's (`--tickers --years --flatfiles --all
/// --limit --skip-minute --debug`): each is accepted or rejected with "not yet available".
struct BackfillOptions: ParsableArguments {
    @Option(help: "Comma-separated tickers, case-sensitive (e.g. AMD,NVDA,BRK.B).")
    var tickers: String?

    @Option(help: "Years of history to fetch, ending at --to.")
    var years: Int = 2

    @Option(help: "First New York date to fetch (YYYY-MM-DD); overrides --years.")
    var from: String?

    @Option(help: "Last New York date to fetch (YYYY-MM-DD or 'today'). Default: yesterday, the last complete day.")
    var to: String?

    @Option(
        help:
            "SQLite database file, or PostgreSQL as postgres://user@host:port/db (password from DB_PASSWORD; DB_HOST alone selects PostgreSQL)."
    )
    var db: String = "./backfill.sqlite"

    @Option(
        help:
            "Share this backfill with other workers (processes, machines) through PostgreSQL: postgres://user@host:port/db (password and missing parts from DB_*). Bars go to that database."
    )
    var workersFrom: String?

    @Option(help: "With --workers-from: this worker's name in the queue (default host:pid).")
    var workerID: String?

    @Option(
        help:
            "With --workers-from: seconds a claimed chunk is held without renewal; a dead worker's chunk is taken over after it."
    )
    var leaseSeconds: Int = 60

    @Option(help: "PostgreSQL: seconds to keep retrying a transaction while the server is unreachable (a restart).")
    var dbRetrySeconds: Int = 120

    @Flag(help: "Use the built-in offline Polygon sandbox (no API key, no network).")
    var sandbox = false

    @Option(help: "Seed of the sandbox's synthetic market.")
    var sandboxSeed: UInt64 = 42

    @Option(
        help:
            "Securities in each of the sandbox's day files (default BACKFILL_SANDBOX_DAY_FILE_TICKERS, else 300); fewer make flat-file trials faster."
    )
    var sandboxDayFileTickers: Int?

    @Option(help: "REST base URL (default POLYGON_BASE_URL, else https://api.polygon.io).")
    var baseURL: String?

    @Option(help: "Requests per minute (default POLYGON_RATE_LIMIT, else 5 as on a free key; unlimited in --sandbox).")
    var rateLimit: Double?

    @Option(help: "Requests in flight at once.")
    var concurrency: Int = 4

    @Flag(help: "Fetch daily bars only.")
    var skipMinute = false

    @Flag(help: "Skip the news phase.")
    var skipNews = false

    @Option(
        help:
            "Phases to run, comma-separated, in any order (run as reference,actions,daily,minute,news). Default: all; --skip-minute and --skip-news remove theirs."
    )
    var phases: String?

    @Flag(
        help:
            "Bars from the day flat files over S3 (keys POLYGON_S3_ACCESS_KEY/POLYGON_S3_SECRET_KEY; with --sandbox its own S3), then REST for days without a file. The default when S3 keys are set."
    )
    var flatfiles = false

    @Option(help: "Read day flat files (us_stocks_sip/…/YYYY-MM-DD.csv.gz) from this local directory instead of S3.")
    var flatfilesDir: String?

    @Flag(help: "Run the failed tasks of earlier runs again (they are otherwise left failed and reported).")
    var retryFailed = false

    @Flag(
        help:
            "With --limit N: the N most traded tickers (by dollar volume, from grouped daily). Alone, with --skip-minute: every ticker's daily bars, one grouped-daily request per session."
    )
    var all = false

    @Option(help: "With --all: how many tickers.")
    var limit: Int?

    @Flag(help: "Print the plan (chunks, requests, bytes, time at the rate limit) and exit without fetching.")
    var dryRun = false

    @Option(help: "Log lines as 'plain' text or 'json' objects (one per line).")
    var logFormat: String = "plain"

    @Flag(help: "Debug logging.")
    var debug = false

    @Option(help: ArgumentHelp(BusChoice.help))
    var bus = "none"

    /// Called from run(): see Scraper.
    func check() throws {
        try BusChoice.validate(bus, localName: "none")
        if let flatfilesDir, flatfilesDir.isEmpty { throw ValidationError("--flatfiles-dir needs a folder") }
        if let phases {
            do { _ = try BackfillPhase.parseList(phases) } catch { throw ValidationError(error.message) }
        }
        if all {
            guard tickers == nil else { throw ValidationError("give either --tickers or --all, not both") }
            if let limit {
                guard (1...5_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 5000") }
            } else if selectedPhases.contains(.minute) && !flatfiles && flatfilesDir == nil {
                throw ValidationError(
                    "--all (every ticker) fetches daily bars by grouped daily; its minute bars come from the day "
                        + "flat files: add --flatfiles (or --flatfiles-dir DIR), --skip-minute, or --limit N")
            }
        } else if limit != nil {
            throw ValidationError("--limit goes with --all")
        } else if Symbol.parseList(tickers ?? "").isEmpty {
            throw ValidationError("--tickers is required (or --all --limit N), e.g. --tickers AMD,NVDA,TSLA")
        }
        for symbol in Symbol.parseList(tickers ?? "") {
            if let problem = Symbol.problem(with: symbol) { throw ValidationError(problem) }
        }
        guard years >= 1, years <= 30 else { throw ValidationError("--years must be between 1 and 30, got \(years)") }
        if let from, LocalDate(from) == nil { throw ValidationError("--from must be YYYY-MM-DD, got '\(from)'") }
        if let to, to != "today", LocalDate(to) == nil {
            throw ValidationError("--to must be YYYY-MM-DD or 'today', got '\(to)'")
        }
        if let rateLimit, !(rateLimit > 0) { throw ValidationError("--rate-limit must be positive") }
        try checkWorkers()
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 64") }
        guard logFormat == "plain" || logFormat == "json" else {
            throw ValidationError("--log-format must be plain or json, got '\(logFormat)'")
        }
    }

    private func checkWorkers() throws {
        guard (2...3_600).contains(leaseSeconds) else {
            throw ValidationError("--lease-seconds must be between 2 and 3600, got \(leaseSeconds)")
        }
        guard (0...86_400).contains(dbRetrySeconds) else {
            throw ValidationError("--db-retry-seconds must be between 0 and 86400, got \(dbRetrySeconds)")
        }
        guard let workersFrom else {
            if workerID != nil { throw ValidationError("--worker-id goes with --workers-from") }
            return
        }
        guard PostgresSettings.isURL(workersFrom) else {
            throw ValidationError(
                "--workers-from takes a PostgreSQL URL (postgres://user@host:port/db), not '\(PostgresSettings.redact(workersFrom))'"
            )
        }
        guard db == StoreChoice.defaultPath else {
            throw ValidationError("--workers-from stores into its own database: leave --db out")
        }
        if flatfiles || flatfilesDir != nil {
            throw ValidationError(
                "flat files with --workers-from are not yet available; use REST (without --flatfiles)")
        }
        if dryRun { throw ValidationError("--dry-run with --workers-from is not yet available") }
        if let workerID, workerID.isEmpty || workerID.count > 200 {
            throw ValidationError("--worker-id must be 1 to 200 characters")
        }
    }

    var symbols: [String] { Symbol.parseList(tickers ?? "") }

    /// The phases to run: `--phases` (default all) less those `--skip-minute`/`--skip-news` remove.
    var selectedPhases: Set<BackfillPhase> {
        var selected = phases.flatMap { try? BackfillPhase.parseList($0) } ?? Set(BackfillPhase.allCases)
        if skipMinute { selected.remove(.minute) }
        if skipNews { selected.remove(.news) }
        return selected
    }

    /// The inclusive date range, given today's New York date.
    func range(today: LocalDate) throws -> DayRange {
        let last = to == "today" ? today : (to.flatMap { LocalDate($0) } ?? today.adding(days: -1))
        let first = from.flatMap { LocalDate($0) } ?? last.adding(years: -years).adding(days: 1)
        guard let range = DayRange(first, last) else {
            throw ValidationError("--from (\(first)) is after --to (\(last))")
        }
        return range
    }
}
