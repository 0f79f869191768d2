import BackfillCore
import Foundation
import Ingestion
import Logging
import MessageBus
import Polygon
import PolygonSandbox
import PostgresStore
import Storage

/// `scraper --flatfiles` / `--flatfiles-dir` / hybrid: day files first, then (hybrid) REST for the
/// days without a file and the tickers absent from the files.
extension BackfillCommand {
    func runFlatFiles(
        _ choice: FlatFileChoice, request: BackfillRequest, store: any BackfillStore, target: StoreChoice,
        settings: SettingsSource, bus: any MessageBus, logger: Logger
    ) async -> Int32 {
        do {
            if options.sandbox {
                var configuration = SandboxConfiguration(seed: options.sandboxSeed, logger: quiet(logger))
                let tickers =
                    options.sandboxDayFileTickers
                    ?? settings.environment["BACKFILL_SANDBOX_DAY_FILE_TICKERS"].flatMap { Int($0) }
                if let tickers { configuration.s3.tickerCount = max(8, tickers) }
                let sandbox = SandboxServer(configuration: configuration)
                return try await sandbox.withRunning { baseURL in
                    let client = RESTClient(
                        configuration: .init(
                            baseURL: baseURL, apiKey: SandboxConfiguration.defaultAPIKey,
                            requestsPerMinute: options.rateLimit),
                        logger: logger)
                    let source: any FlatFileSource
                    if case .directory(let path) = choice.source {
                        source = LocalFlatFileSource(root: path)
                    } else {
                        source = S3Client(
                            configuration: S3Configuration(
                                endpoint: baseURL, accessKey: S3Settings.defaultAccessKey,
                                secretKey: S3Settings.defaultSecretKey),
                            logger: logger)
                    }
                    return await flatFiles(
                        choice, source: source, client: client, request: request, store: store, target: target,
                        bus: bus, logger: logger,
                        label: "sandbox \(baseURL)")
                }
            }
            var client: RESTClient?
            if let key = settings.apiKey {
                let rate = options.rateLimit ?? settings.value("POLYGON_RATE_LIMIT").flatMap(Double.init) ?? 5
                client = RESTClient(
                    configuration: .init(
                        baseURL: options.baseURL ?? settings.baseURL, apiKey: key, requestsPerMinute: rate),
                    logger: logger)
            }
            let source: any FlatFileSource
            switch choice.source {
            case .s3(let configuration): source = S3Client(configuration: configuration, logger: logger)
            case .directory(let path): source = LocalFlatFileSource(root: path)
            case .sandbox: source = LocalFlatFileSource(root: ".")  // resolved above: --flatfiles with --sandbox
            }
            return await flatFiles(
                choice, source: source, client: client, request: request, store: store, target: target, bus: bus,
                logger: logger, label: choice.label)
        } catch {
            printError("error: \(error)")
            return 1
        }
    }

    private func flatFiles(
        _ choice: FlatFileChoice, source: any FlatFileSource, client: RESTClient?, request: BackfillRequest,
        store: any BackfillStore, target: StoreChoice, bus: any MessageBus, logger: Logger, label: String
    ) async -> Int32 {
        let hybrid = choice.hybrid && client != nil
        let runner = FlatFileRunner(
            source: source, store: store,
            configuration: .init(
                cacheDirectory: target.flatFileCache, concurrency: options.concurrency,
                markAbsentTickers: !hybrid),
            logger: logger, bus: bus)
        do {
            let plan = try await runner.plan(request)
            if options.dryRun {
                print(
                    FlatFileText.plan(
                        plan, request: request, source: choice.label, hybrid: hybrid, database: target.label))
                return 0
            }
            let code = try await runFiles(
                runner, plan: plan, request: request, store: store, label: choice.label, database: target.label)
            guard hybrid, !repairFromDayFiles, let client, code != 130 else { return code }
            let rest = await execute(
                request, client: client, store: store, reference: store, bus: bus, logger: logger, source: label,
                database: target.label)
            return rest == 130 ? 130 : max(code, rest)
        } catch {
            printError("error: \(error)")
            return 1
        }
    }

    private func runFiles(
        _ runner: FlatFileRunner, plan: FlatFilePlanner.Plan, request: BackfillRequest, store: any BackfillStore,
        label: String, database: String
    ) async throws -> Int32 {
        let display = ProgressDisplay(interactive: isatty(STDERR_FILENO) == 1, json: options.logFormat == "json")
        let who = request.allTickers ? "every ticker" : request.tickers.joined(separator: ",")
        display.header(
            "Flat files: \(who) \(request.range) [\(request.timeframes.map(\.description).joined(separator: ","))] "
                + "from \(label) into \(database): \(plan.jobs.count) day files, \(Format.megabytes(plan.bytes))")
        let startedMs = Int64(Date().timeIntervalSince1970 * 1_000)
        let stop = StopRequest()
        // Ctrl-C is caught before any day file starts: one arriving while the work was starting would
        // otherwise end the process by the default action.
        let interrupts = SignalHandling.onInterrupt {
            display.note("interrupt: finishing the day file in progress; press Ctrl-C again to stop at once")
            stop.request()
        }
        defer { interrupts.cancel() }
        // Crash tests: SIGKILL ourselves once N day files are stored, while the next are in flight
        // (deterministic, where a kill from outside can come after a fast run has finished).
        let killAfter = ProcessInfo.processInfo.environment["BACKFILL_TEST_SIGKILL_AFTER_FILES"].flatMap(Int.init)
        let work = Task {
            try await runner.run(
                request, plan: plan, stop: stop,
                onProgress: { progress in
                    display.update(progress)
                    if let killAfter, progress.itemsDone >= killAfter { kill(getpid(), SIGKILL) }
                })
        }
        let report: FlatFileReport
        do {
            report = try await work.value
        } catch {
            display.finish()
            throw error
        }
        display.finish()
        print(FlatFileText.summary(report, request: request, database: database))
        var saved = report.asBackfillReport
        saved.tickers = request.allTickers ? [BarStoreSymbols.allTickers] : request.tickers
        return await Self.record(
            saved, startedMs: startedMs, in: store,
            notes: report.quarantinedCount > 0 ? ["\(report.quarantinedCount) rows quarantined"] : [])
    }
}
