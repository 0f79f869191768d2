import BackfillCore
import Foundation
import Ingestion
import Logging
import MessageBus
import RedisBus
import Polygon
import PolygonSandbox
import PostgresStore
import Storage

/// Wires `scraper live`: settings, store, feed and REST client (real or sandbox), progress lines,
/// Ctrl-C and `--duration`, the final summary and the exit code.
struct LiveRun {
    var command: LiveCommand

    /// Runs and returns the exit code: 0 after a clean stop (Ctrl-C or `--duration`), 1 on an error.
    func run() async -> Int32 {
        let settings = SettingsSource.load()
        if command.logFormat == "json" { LoggingSystem.bootstrap { JSONLogHandler(label: $0) } }
        var logger = Logger(label: "scraper")
        logger.logLevel = command.debug || settings.value("DEBUG_CPU") != nil ? .debug : .info
        do {
            let choice = try StoreChoice.resolve(db: command.db, settings: settings)
            return try await choice.withStore(logger: logger) { store in
                try await run(store: store, database: choice.label, settings: settings, logger: logger)
            }
        } catch {
            printError("error: \(error)")
            return 1
        }
    }

    /// The run into an open store (`database` is how it is shown, without a password).
    private func run(store: any BarStore, database: String, settings: SettingsSource, logger: Logger)
        async throws -> Int32
    {
        if command.sandbox { return try await runSandbox(store: store, database: database, logger: logger) }
        guard
            let client = settings.polygonClient(baseURL: command.baseURL, rateLimit: command.rateLimit, logger: logger)
        else { return 1 }
        let feedURL =
            command.feedURL
            ?? (command.delayed
                ? FeedClient.Configuration.delayedURL
                : command.baseURL.map { FeedClient.Configuration.url(forBaseURL: $0) }
                    ?? FeedClient.Configuration.realTimeURL)
        return await ingest(
            feedURL: feedURL, apiKey: client.configuration.apiKey, client: client, store: store, database: database,
            logger: logger)
    }

    private func runSandbox(store: any BarStore, database: String, logger: Logger) async throws -> Int32 {
        let today = EasternTime.date(containing: Int64(Date().timeIntervalSince1970 * 1_000))
        var quiet = logger
        quiet.logLevel = command.debug ? .debug : .warning
        let feed = SandboxFeed.Configuration(
            replayStartMs: command.replayStartMs(today: today), speed: command.sandboxSpeed)
        let sandbox = SandboxServer(
            configuration: SandboxConfiguration(seed: command.sandboxSeed, logger: quiet, feed: feed))
        return try await sandbox.withRunning { baseURL in
            let client = RESTClient(
                configuration: .init(
                    baseURL: baseURL, apiKey: SandboxConfiguration.defaultAPIKey, requestsPerMinute: command.rateLimit),
                logger: logger)
            return await ingest(
                feedURL: FeedClient.Configuration.url(forBaseURL: baseURL), apiKey: SandboxConfiguration.defaultAPIKey,
                client: client, store: store, database: database, logger: logger)
        }
    }

    private func ingest(
        feedURL: String, apiKey: String, client: RESTClient, store: any BarStore, database: String, logger: Logger
    ) async -> Int32 {
        do {
            // NOTIFY needs the pool running: the whole run happens inside the bus's scope.
            return try await BusChoice.with(command.bus, logger: logger) { bus in
                await ingest(
                    feedURL: feedURL, apiKey: apiKey, client: client, store: store, bus: bus, database: database,
                    logger: logger)
            }
        } catch {
            printError("error: \(error)")
            return 1
        }
    }

    private func ingest(
        feedURL: String, apiKey: String, client: RESTClient, store: any BarStore, bus: any MessageBus,
        database: String, logger: Logger
    ) async -> Int32 {
        let feed = FeedClient(
            configuration: .init(url: feedURL, apiKey: apiKey, topics: command.topics, bufferSize: 200_000),
            logger: logger)
        let configuration = LiveIngestor.Configuration(catchUpSession: !command.all && !command.noCatchUp)
        let ingestor = LiveIngestor(
            store: store, bus: bus, client: client, configuration: configuration, logger: logger)
        let shownURL = client.redactor.redact(feedURL)
        let what = command.all ? "AM.*" : command.topics.map(\.description).joined(separator: ",")
        if command.logFormat == "json" {
            JSONLine.write(["event": "live.start", "topics": what, "feed": shownURL, "db": database])
        } else {
            Self.printLine("Live \(what) from \(shownURL) into \(database)")
        }
        let interrupts = SignalHandling.onInterrupt {
            printError("interrupt: storing what was received and saving indicator state; Ctrl-C again to stop at once")
            ingestor.stop()
        }
        defer { interrupts.cancel() }
        let started = ContinuousClock.now
        let subscribed: [String]? = command.all ? nil : command.symbols
        let (duration, interval, json) = (command.duration, command.progressInterval, command.logFormat == "json")
        let result = await withTaskGroup(of: Result<Void, any Error>?.self) { group in
            group.addTask {
                do {
                    try await ingestor.run(feed: feed, symbols: subscribed)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask { await Self.reportProgress(ingestor, started: started, interval: interval, json: json) }
            if let duration {
                group.addTask {
                    try? await Task.sleep(for: .milliseconds(Int64(duration * 1_000)))
                    ingestor.stop()
                    return nil
                }
            }
            var outcome: Result<Void, any Error> = .success(())
            while let next = await group.next() {
                if let next {
                    outcome = next
                    group.cancelAll()
                }
            }
            return outcome
        }
        let statistics = ingestor.statistics
        let elapsed = Self.seconds(since: started)
        if json {
            JSONLine.write(Self.fields(statistics).merging(["event": "live.stopped", "seconds": "\(elapsed)"]) { $1 })
        } else {
            Self.printLine("Stopped after \(Format.seconds(elapsed)): " + Self.summary(statistics, feed: feed))
        }
        if case .failure(let error) = result {
            printError("error: \(client.redactor.redact(String(describing: error)))")
            return 1
        }
        return 0
    }

    /// A progress line every `--progress-interval` seconds while anything changed; ends when cancelled.
    private static func reportProgress(
        _ ingestor: LiveIngestor, started: ContinuousClock.Instant, interval: Double, json: Bool
    ) async -> Result<Void, any Error>? {
        var last = LiveStatistics()
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int64(interval * 1_000)))
            let now = ingestor.statistics
            guard now != last, !Task.isCancelled else { continue }
            last = now
            if json {
                JSONLine.write(fields(now).merging(["event": "live.progress"]) { $1 })
            } else {
                printLine("[\(Format.seconds(seconds(since: started)))] " + summary(now, feed: nil))
            }
        }
        return nil
    }

    private static func summary(_ s: LiveStatistics, feed: FeedClient?) -> String {
        var text =
            "stored \(Format.count(s.stored)) (changed \(Format.count(s.changed)), unchanged "
            + "\(Format.count(s.unchanged))), published \(Format.count(s.published)), quarantined \(s.quarantined), "
            + "revised \(s.revised), reconnects \(s.reconnects), gaps \(s.gaps), refilled \(Format.count(s.refilled))"
        if s.refillFailures > 0 { text += ", refill failures \(s.refillFailures)" }
        if let dropped = feed?.statistics.droppedEvents, dropped > 0 { text += ", dropped \(dropped)" }
        if let last = s.lastBarMs { text += ", last bar \(CalendarCSV.iso8601(last))" }
        return text
    }

    private static func fields(_ s: LiveStatistics) -> [String: String] {
        [
            "stored": "\(s.stored)", "changed": "\(s.changed)", "unchanged": "\(s.unchanged)",
            "published": "\(s.published)", "quarantined": "\(s.quarantined)", "revised": "\(s.revised)",
            "reconnects": "\(s.reconnects)", "gaps": "\(s.gaps)", "refilled": "\(s.refilled)",
            "refill_failures": "\(s.refillFailures)", "last_bar_ms": s.lastBarMs.map { "\($0)" } ?? "",
        ]
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    private static func printLine(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
