import ArgumentParser
import Foundation
import Hummingbird
import Ingestion
import Logging
import MessageBus
import PostgresStore
import RedisBus
import Storage
import WebUI

@main
struct GUICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gui",
        abstract: "Serve the warehouse to a browser: charts, live bars, the backfill monitor and a JSON API.")

    @Option(
        help: ArgumentHelp(
            "The warehouse scraper wrote: a SQLite file, or postgres://user@host:port/db.",
            discussion:
                "The password comes from the URL or DB_PASSWORD (and is never printed); with --db left out, DB_HOST (environment or ./.env) selects PostgreSQL, the other DB_* keys filling in the rest."
        ))
    var db = StoreChoice.defaultPath

    @Option(help: "Address to bind. Anything but loopback requires a token (--token or GUI_TOKEN).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8080

    @Option(help: "Token required on every request and WebSocket (default: GUI_TOKEN from the environment).")
    var token: String?

    @Option(
        help: ArgumentHelp(
            "Where live bars come from: inprocess (what the monitor's backfills store); redis (REDIS_HOST, REDIS_PORT, REDIS_PASSWORD); postgres://user@host:port/db; or none.",
            discussion:
                "inprocess: backfills started from the monitor announce what they store to this gui only. With redis or a PostgreSQL URL the gui also hears `scraper live --bus` and `scraper backfill --bus` with the same value, in any process, and the monitor's backfills announce there; the PostgreSQL password comes from the URL or DB_PASSWORD."
        ))
    var bus = "inprocess"

    @Option(help: "The scraper the monitor page starts backfills with (default: beside gui; 'none': read-only).")
    var scraper: String?

    var resolvedToken: String? {
        token ?? ProcessInfo.processInfo.environment["GUI_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    mutating func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535, got \(port)") }
        if PostgresSettings.isURL(bus) {
            do {
                _ = try PostgresSettings(url: bus)
            } catch {
                throw ValidationError("--bus: \(error)")
            }
        } else if !["inprocess", "none", "redis"].contains(bus) {
            throw ValidationError("--bus must be inprocess, redis, a postgres:// URL or none, got '\(bus)'")
        }
        if let token = resolvedToken {
            let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
            guard token.count >= 16, token.allSatisfy({ allowed.contains($0) }) else {
                throw ValidationError("the token must be at least 16 characters of A-Z, a-z, 0-9, '-', '.', '_', '~'")
            }
        } else {
            guard ["127.0.0.1", "::1", "localhost"].contains(host) else {
                throw ValidationError("binding \(host) (not loopback) requires a token: set GUI_TOKEN or --token")
            }
        }
    }

    func run() async throws {
        var logger = Logger(label: "gui")
        logger.logLevel = .info
        let settings = SettingsSource.load()
        let choice: StoreChoice
        do {
            choice = try StoreChoice.resolve(db: db, environment: settings.dotEnv.merging(settings.environment) { $1 })
        } catch {
            throw ValidationError("--db: \(error)")
        }
        if let missing = choice.missingFile {
            // A first run starts from the monitor: an empty warehouse is made, and said so (a mistyped
            // --db shows at once as an empty chart list and this line). A missing folder is an error.
            let folder = URL(fileURLWithPath: missing).deletingLastPathComponent().path
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                throw ValidationError("no database at '\(missing)' and no folder '\(folder)' to create it in")
            }
            logger.notice("no warehouse at \(missing) yet: creating an empty one; start a backfill from /monitor")
        }
        do {
            try await choice.withStore(logger: logger) { store in
                logger.info("warehouse \(choice.label)")
                try await run(store: store, choice: choice, logger: logger)
            }
        } catch let error as StorageError {
            // The server away, a wrong password, no such database: one line, as scraper says it.
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// Serves `store`, with live bars from the bus `--bus` names.
    private func run(store: any WarehouseStore, choice: StoreChoice, logger: Logger) async throws {
        let environment = ProcessInfo.processInfo.environment
        if PostgresSettings.isURL(bus) {
            let settings = try PostgresSettings(url: bus, environment: environment)
            try await PostgresBarStore.withStore(settings, logger: logger) { database in
                let notify = PostgresNotifyBus(store: database, logger: logger)
                logger.info("live bars from PostgreSQL NOTIFY, \(settings.redacted)")
                // The child gets the URL without a password (argv is visible to every user), the
                // password in DB_PASSWORD.
                let child = ChildBus(arguments: ["--bus", settings.urlWithoutPassword], password: settings.password)
                try await serve(
                    store: store, choice: choice, bus: notify, childBus: child, logger: logger,
                    listen: { await notify.run() }
                ) { notify.isListening }
            }
        } else if bus == "redis" {
            let configuration = try RedisConfiguration.fromEnvironment(environment)
            let redis = RedisMessageBus(configuration: configuration, logger: logger)
            logger.info("live bars from \(configuration)")
            // The subscriber connection (reconnecting with backoff) for as long as the server runs.
            try await serve(
                store: store, choice: choice, bus: redis, childBus: ChildBus(arguments: ["--bus", "redis"]),
                logger: logger, listen: { try await redis.run() })
        } else if bus == "inprocess" {
            let local = InProcessBus()
            try await serve(store: store, choice: choice, bus: local, relay: local, logger: logger, listen: nil)
        } else {
            try await serve(store: store, choice: choice, bus: nil, logger: logger, listen: nil)
        }
    }

    /// The `--bus` the monitor's children announce on, and the password it needs (PostgreSQL).
    struct ChildBus {
        var arguments: [String] = []
        var password: String?
    }

    /// Runs the server, and `listen` (the bus's subscriber) beside it until the server stops. The
    /// URL is printed once `isListening` (at most 30 s later), so a bar published after it is seen.
    private func serve(
        store: any WarehouseStore, choice: StoreChoice, bus: (any MessageBus)?, childBus: ChildBus = ChildBus(),
        relay: (any MessageBus)? = nil, logger: Logger, listen: (@Sendable () async throws -> Void)?,
        isListening: @Sendable () -> Bool = { true }
    ) async throws {
        let web = WebApp(
            store: store, bus: bus, configuration: .init(token: resolvedToken),
            launcher: launcher(choice, childBus: childBus, relay: relay, logger: logger))
        let host = self.host
        let app = web.makeApplication(host: host, port: port, logger: logger) { port in
            // The token is not printed: whoever started gui knows it.
            // Written unbuffered: a parent process waits for this line to know the port.
            FileHandle.standardOutput.write(Data("gui: open http://\(host):\(port)/\n".utf8))
        }
        let follower = Task { await web.followBusProgress() }  // backfills elsewhere, for /metrics
        defer { follower.cancel() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let listen { group.addTask { try await listen() } }
            let deadline = ContinuousClock.now + .seconds(30)
            while !isListening() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            if !isListening() { logger.warning("the bus is not listening yet; live bars start when it is") }
            group.addTask { try await app.runService() }
            try await group.next()  // the server stopped (a signal): stop the bus too
            group.cancelAll()
        }
    }

    /// Runs `scraper` for the monitor page, writing the same database (a PostgreSQL password goes
    /// to the child in `DB_PASSWORD`, never on its command line); nil when there is no scraper.
    func launcher(_ choice: StoreChoice, childBus: ChildBus, relay: (any MessageBus)?, logger: Logger)
        -> BackfillLauncher?
    {
        if scraper == "none" { return nil }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("scraper")
        let executable = scraper.map { URL(fileURLWithPath: $0) } ?? beside
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            logger.info("no scraper at \(executable.path): the monitor cannot start backfills")
            return nil
        }
        let child = choice.forChildProcess
        var environment = child.environment
        if environment["DB_PASSWORD"] == nil, let password = childBus.password { environment["DB_PASSWORD"] = password }
        return BackfillLauncher(
            executable: executable, database: child.db, environment: environment, busArguments: childBus.arguments,
            relay: relay)
    }
}
