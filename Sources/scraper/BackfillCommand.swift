import BackfillCore
import Dispatch
import Foundation
import Ingestion
import Logging
import MessageBus
import Polygon
import PolygonSandbox
import PostgresStore
import Storage

/// Wires the backfill: settings, store, client (real or sandbox), progress, summary, exit code.
struct BackfillCommand {
    var options: BackfillOptions
    /// `scraper repair`: fetch each ticker only inside these ranges.
    var onlyRanges: [String: [DayRange]]? = nil
    /// `scraper repair` of sessions missing for many tickers: from their day files, no REST after.
    var repairFromDayFiles = false

    /// Runs and returns the process exit code (0 ok, 1 some data failed or setup error, 130 interrupted).
    func run() async -> Int32 {
        let settings = SettingsSource.load()
        if options.logFormat == "json" { LoggingSystem.bootstrap { JSONLogHandler(label: $0) } }
        let logger = Self.makeLogger(debug: options.debug || settings.value("DEBUG_CPU") != nil)
        for line in settings.dotEnvProblems { logger.warning("ignoring unreadable line \(line) of ./.env") }
        SystemLimits.check(concurrency: options.concurrency, logger: logger)
        let today = EasternTime.date(containing: Int64(Date().timeIntervalSince1970 * 1_000))
        do {
            let range = try options.range(today: today)
            let choice = try StoreChoice.resolve(db: options.db, settings: settings)
            let request = {
                var request = BackfillRequest(
                    tickers: options.symbols, range: range,
                    timeframes: [(BackfillPhase.daily, Timeframe.day), (.minute, .minute)]
                        .filter { options.selectedPhases.contains($0.0) }.map(\.1),
                    today: today, concurrency: options.concurrency)
                request.allTickers = options.all && options.limit == nil
                request.phases = options.selectedPhases
                request.retryFailed = options.retryFailed
                request.onlyRanges = onlyRanges
                return request
            }()
            if let workersFrom = options.workersFrom {
                let environment = settings.dotEnv.merging(settings.environment) { $1 }
                let database = try PostgresSettings(url: workersFrom, environment: environment)
                return await runWorker(database, request: request, settings: settings, logger: logger)
            }
            // PostgreSQL: every phase, day files and --dry-run as into SQLite, the pool open around the run.
            let target: StoreChoice
            if case .postgres(let database) = choice { target = .postgres(retrying(database)) } else { target = choice }
            return try await target.withStore(logger: logger, onConnectionEvent: connectionNotes()) { store in
                try await run(request, store: store, target: target, settings: settings, logger: logger)
            }
        } catch {
            printError("error: \(error)")
            return 1
        }
    }

    /// The run on an open store, whichever database: day files (or a repair from them), a dry
    /// run, or the REST phases.
    func run(
        _ request: BackfillRequest, store: any BackfillStore, target: StoreChoice, settings: SettingsSource,
        logger: Logger
    ) async throws -> Int32 {
        // Rankings and small repairs go to REST; a repair of widely missing sessions to day files.
        if onlyRanges == nil || repairFromDayFiles, options.limit == nil, !request.timeframes.isEmpty,
            let choice = try FlatFileChoice.resolve(options, settings: settings)
        {
            // A dry run announces nothing, so it connects to no bus either.
            return try await BusChoice.with(options.dryRun ? "none" : options.bus, logger: logger) { bus in
                await runFlatFiles(
                    choice, request: request, store: store, target: target, settings: settings, bus: bus,
                    logger: logger)
            }
        }
        if options.dryRun && options.all && options.limit != nil {
            printError("error: --dry-run with --all is not yet available (ranking needs a request); name --tickers")
            return 1
        }
        if options.dryRun {
            let rate =
                options.sandbox
                ? options.rateLimit
                : (options.rateLimit ?? settings.value("POLYGON_RATE_LIMIT").flatMap(Double.init) ?? 5)
            return try await DryRun.print(request, store: store, requestsPerMinute: rate, database: target.label)
        }
        return try await BusChoice.with(options.bus, logger: logger) { bus in
            try await withRESTClient(settings: settings, logger: logger) { client, source in
                await execute(
                    request, client: client, store: store, reference: store, bus: bus, logger: logger,
                    source: source, database: target.label)
            }
        }
    }

    func execute(
        _ request: BackfillRequest, client: RESTClient, store: any BarStore, reference: (any ReferenceStore)?,
        bus: any MessageBus = InProcessBus(), logger: Logger, source: String, database: String
    ) async -> Int32 {
        guard var request = await ranked(request, client: client, logger: logger) else { return 1 }
        let display = ProgressDisplay(interactive: isatty(STDERR_FILENO) == 1, json: options.logFormat == "json")
        display.header(
            "Backfilling \(request.tickers.joined(separator: ",")) \(request.range) "
                + "[\(request.timeframes.map(\.description).joined(separator: ","))] from \(source) into \(database)")
        let startedMs = Int64(Date().timeIntervalSince1970 * 1_000)
        // From here on a first Ctrl-C stops after the work in flight, in any phase.
        let stop = InterruptLatch()
        let interrupts = SignalHandling.onInterrupt {
            display.note("interrupt: finishing the work in flight; press Ctrl-C again to stop at once")
            stop.fire()
        }
        defer { interrupts.cancel() }
        let metadata = reference.map { MetadataPhases(client: client, store: $0, logger: logger) }
        let asked = request
        // Phases 1-2: reference, corporate actions; a request waiting for the rate limit stops waiting on Ctrl-C.
        let phases12 = Task { await metadata?.runBeforeBars(asked) ?? [] }
        stop.onFire { phases12.cancel() }
        let before = await phases12.value
        request = await metadata?.addingFormerTickers(to: request) ?? request  // META's bars include FB's years
        let runner = BackfillRunner(client: client, store: store, bus: bus, logger: logger)
        let work = Task { [request] in try await runner.run(request, onProgress: { display.update($0) }) }
        stop.onFire { work.cancel() }  // at once when Ctrl-C came during phases 1-2
        do {
            var report = try await work.value
            // Phase 5: news.
            let after = report.status == .interrupted ? [] : await metadata?.runAfterBars(request) ?? []
            report.progress.requests += after.map(\.requests).reduce(0, +)
            report.progress.requestLatency = client.statistics.latency  // the news requests too
            let phases = before + after
            display.finish()
            report.failures += phases.flatMap(\.failures)  // phase 5 (news) ran after the bars
            if report.status == .completed && !report.failures.isEmpty { report.status = .failed }
            print(Summary.render(report, phases: phases, range: request.range, database: database))
            return await Self.record(report, startedMs: startedMs, in: store)
        } catch {
            display.finish()
            if stop.isFired {  // stopped before any bar work began
                print("Interrupted: run the same command again to continue.")
                return 130
            }
            printError("error: \(error)")
            return 1
        }
    }

    /// With `--all --limit N`, the request for the N most traded tickers (nil after printing why not).
    func ranked(_ request: BackfillRequest, client: RESTClient, logger: Logger) async -> BackfillRequest? {
        guard options.all, let limit = options.limit else { return request }
        do {
            let (session, tickers) = try await TopTickers.fetch(
                client: client, onOrBefore: request.range.last, limit: limit)
            guard !tickers.isEmpty else {
                printError("error: the grouped daily bars of \(session) list no tickers to rank")
                return nil
            }
            logger.info(
                "top \(tickers.count) tickers by dollar volume on \(session): \(tickers.joined(separator: ","))")
            var ranked = request
            ranked.tickers = tickers
            return ranked
        } catch {
            printError("error: cannot rank tickers for --all: \(error)")
            return nil
        }
    }

    private static func makeLogger(debug: Bool) -> Logger {
        var logger = Logger(label: "scraper")
        logger.logLevel = debug ? .debug : .info
        return logger
    }

    /// Runs `body` with a REST client and how to show its source: the in-process sandbox's with
    /// `--sandbox`, else Polygon's with the configured key and rate limit (no key: one line, exit 1).
    func withRESTClient(
        settings: SettingsSource, logger: Logger, _ body: @escaping @Sendable (RESTClient, String) async -> Int32
    ) async throws -> Int32 {
        if options.sandbox {
            let sandbox = SandboxServer(
                configuration: SandboxConfiguration(seed: options.sandboxSeed, logger: quiet(logger)))
            return try await sandbox.withRunning { baseURL in
                let client = RESTClient(
                    configuration: .init(
                        baseURL: baseURL, apiKey: SandboxConfiguration.defaultAPIKey,
                        requestsPerMinute: options.rateLimit),
                    logger: logger)
                return await body(client, "sandbox \(baseURL)")
            }
        }
        guard
            let client = settings.polygonClient(baseURL: options.baseURL, rateLimit: options.rateLimit, logger: logger)
        else { return 1 }
        return await body(client, client.redactor.redact(client.configuration.baseURL))
    }

    /// The sandbox's own logging: warnings only, unless --debug.
    func quiet(_ logger: Logger) -> Logger {
        var copy = logger
        copy.logLevel = options.debug ? .debug : .warning
        return copy
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

extension BackfillCommand {
    /// Records a REST or flat-file run (its report kept as JSON for the monitor and `/metrics`) and
    /// returns its exit code: 0 completed, 1 some chunk failed, 130 interrupted.
    /// - Parameter notes: lines kept with the run's errors (a flat-file run's quarantined rows).
    static func record(_ report: BackfillReport, startedMs: Int64, in store: some BarStore, notes: [String] = [])
        async -> Int32
    {
        try? await store.recordRun(
            RunRecord(
                startedAtMs: startedMs, finishedAtMs: Int64(Date().timeIntervalSince1970 * 1_000),
                status: report.status.rawValue, tickers: report.tickers, barsReceived: report.progress.barsReceived,
                barsChanged: report.progress.barsChanged, requests: report.progress.requests,
                errors: report.failures.map(\.description) + notes,
                report: (try? JSONEncoder().encode(report)).map { String(decoding: $0, as: UTF8.self) }))
        switch report.status {
        case .completed: return 0
        case .failed: return 1
        case .interrupted: return 130
        }
    }
}

extension SettingsSource {
    /// Polygon's REST client with the configured key, base URL (the flag, else the settings) and
    /// rate limit (the flag, else `POLYGON_RATE_LIMIT`, else 5 a minute); nil after one line saying
    /// which variables to set when there is no key.
    func polygonClient(baseURL: String?, rateLimit: Double?, logger: Logger) -> RESTClient? {
        guard let key = apiKey else {
            printError(
                """
                error: no API key. Set POLYGON_API_KEY (or MASSIVE_API_KEY) in the environment or in ./.env,
                       or run with --sandbox to use the offline Polygon sandbox.
                """)
            return nil
        }
        let rate = rateLimit ?? value("POLYGON_RATE_LIMIT").flatMap(Double.init) ?? 5
        return RESTClient(
            configuration: .init(baseURL: baseURL ?? self.baseURL, apiKey: key, requestsPerMinute: rate),
            logger: logger)
    }
}
