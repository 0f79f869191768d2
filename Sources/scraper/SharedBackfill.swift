import BackfillCore
import Foundation
import Ingestion
import Logging
import MessageBus
import Polygon
import PostgresStore
import Storage

extension BackfillCommand {
    /// `--workers-from postgres://…`: this process is one of several workers sharing the backfill
    /// through PostgreSQL's work queue; bars go to that database.
    func runWorker(
        _ database: PostgresSettings, request: BackfillRequest, settings: SettingsSource, logger: Logger
    ) async -> Int32 {
        guard let request = barPhases(of: request) else { return 1 }
        let worker = options.workerID ?? "\(ProcessInfo.processInfo.hostName):\(getpid())"
        do {
            return try await PostgresBarStore.withStore(
                retrying(database), logger: logger, onConnectionEvent: connectionNotes()
            ) { store in
                try await withRESTClient(settings: settings, logger: logger) { client, source in
                    guard let request = await ranked(request, client: client, logger: logger) else { return 1 }
                    return await work(
                        request, queue: PostgresWorkQueue(store: store, worker: worker), store: store, client: client,
                        logger: logger, source: source, database: database.redacted)
                }
            }
        } catch {
            printError("error: \(error)")
            return 1
        }
    }

    private func work(
        _ request: BackfillRequest, queue: PostgresWorkQueue, store: PostgresBarStore, client: RESTClient,
        logger: Logger, source: String, database: String
    ) async -> Int32 {
        let display = ProgressDisplay(interactive: isatty(STDERR_FILENO) == 1, json: options.logFormat == "json")
        display.header(
            "Worker \(queue.worker): backfilling \(request.tickers.joined(separator: ",")) \(request.range) "
                + "[\(request.timeframes.map(\.description).joined(separator: ","))] from \(source), "
                + "sharing the work through \(database)")
        let startedMs = Int64(Date().timeIntervalSince1970 * 1_000)
        let runner = BackfillRunner(client: client, store: store, bus: InProcessBus(), logger: logger)
        let worker = BackfillWorker(
            runner: runner, queue: queue, configuration: .init(lease: .seconds(options.leaseSeconds)))
        // Crash tests: SIGKILL ourselves on claiming a chunk once N are completed, so the claim is
        // held by a dead worker until its lease runs out (deterministic, where a kill from outside
        // could come after a fast worker had finished).
        let killAfter = ProcessInfo.processInfo.environment["BACKFILL_TEST_SIGKILL_AFTER_TASKS"].flatMap(Int.init)
        let stop = InterruptLatch()
        let interrupts = SignalHandling.onInterrupt {
            display.note("interrupt: finishing the chunk in flight; press Ctrl-C again to stop at once")
            stop.fire()
        }
        defer { interrupts.cancel() }
        let run = Task {
            try await worker.run(
                request,
                onClaim: { _, completed in
                    if let killAfter, completed >= killAfter { kill(getpid(), SIGKILL) }
                },
                onProgress: { display.update($0) })
        }
        stop.onFire { run.cancel() }
        do {
            let report = try await run.value
            display.finish()
            print(Summary.render(report, range: request.range, database: database))
            return await Self.record(report, startedMs: startedMs, in: store)
        } catch {
            display.finish()
            if stop.isFired {
                print("Interrupted: run the same command again to continue.")
                return 130
            }
            printError("error: \(error)")
            return 1
        }
    }
}
