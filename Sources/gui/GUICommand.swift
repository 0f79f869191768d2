import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RedisBus
import Storage
import WebUI

@main
struct GUICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gui",
        abstract: "Serve the warehouse to a browser: charts, live bars, the backfill monitor and a JSON API.")

    @Option(help: "SQLite database file written by scraper.")
    var db = "./backfill.sqlite"

    @Option(help: "Address to bind. Anything but loopback requires a token (--token or GUI_TOKEN).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8080

    @Option(help: "Token required on every request and WebSocket (default: GUI_TOKEN from the environment).")
    var token: String?

    @Option(help: "Where live bars come from: none, or redis (REDIS_HOST, REDIS_PORT, REDIS_PASSWORD).")
    var bus = "none"

    @Option(help: "The scraper the monitor page starts backfills with (default: beside gui; 'none': read-only).")
    var scraper: String?

    var resolvedToken: String? {
        token ?? ProcessInfo.processInfo.environment["GUI_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    mutating func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535, got \(port)") }
        guard ["none", "redis"].contains(bus) else {
            throw ValidationError("--bus must be none or redis, got '\(bus)'")
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
        guard FileManager.default.fileExists(atPath: db) else {
            throw ValidationError("no database at '\(db)': run `scraper backfill` first or pass --db")
        }
        let store = try SQLiteBarStore(path: db, logger: logger)
        var redis: RedisMessageBus?
        if bus == "redis" {
            let configuration = try RedisConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
            redis = RedisMessageBus(configuration: configuration, logger: logger)
            logger.info("live bars from \(configuration)")
        }
        let web = WebApp(
            store: store, bus: redis, configuration: .init(token: resolvedToken), launcher: launcher(logger))
        let host = self.host
        let app = web.makeApplication(host: host, port: port, logger: logger) { port in
            // The token is not printed: whoever started gui knows it.
            // Written unbuffered: a parent process waits for this line to know the port.
            FileHandle.standardOutput.write(Data("gui: open http://\(host):\(port)/\n".utf8))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let redis {
                // The subscriber connection (reconnecting with backoff) for as long as the server runs.
                group.addTask { try await redis.run() }
            }
            group.addTask { try await app.runService() }
            try await group.next()  // the server stopped (a signal): stop the bus too
            group.cancelAll()
        }
    }

    /// Runs `scraper` for the monitor page, writing the same database; nil when there is none.
    func launcher(_ logger: Logger) -> BackfillLauncher? {
        if scraper == "none" { return nil }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("scraper")
        let executable = scraper.map { URL(fileURLWithPath: $0) } ?? beside
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            logger.info("no scraper at \(executable.path): the monitor cannot start backfills")
            return nil
        }
        return BackfillLauncher(executable: executable, database: URL(fileURLWithPath: db).path)
    }
}
