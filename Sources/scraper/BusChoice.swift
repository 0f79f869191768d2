import ArgumentParser
import Foundation
import Logging
import MessageBus
import PostgresStore
import RedisBus

/// `--bus` of `backfill`, `repair` and `live`: where each stored chunk (`bars.1m.AAPL` with the days
/// it covers) or live bar is announced, so an open chart in a `gui` elsewhere shows what changed.
enum BusChoice {
    static let help =
        "Where stored chunks are announced for open charts: none; redis (REDIS_HOST, REDIS_PORT, REDIS_PASSWORD); postgres://user@host:port/db (LISTEN/NOTIFY, password from DB_PASSWORD); or log (JSON lines on standard error, which the gui's monitor relays)."

    /// Checks the value without connecting. `localName` is the in-process choice's name (`none` for
    /// backfills, `inprocess` for live).
    static func validate(_ value: String, localName: String) throws(ValidationError) {
        if PostgresSettings.isURL(value) {
            do { _ = try PostgresSettings(url: value) } catch { throw ValidationError("--bus: \(error)") }
        } else if ![localName, "redis", "log"].contains(value) {
            throw ValidationError("--bus must be \(localName), redis, log or a postgres:// URL, got '\(value)'")
        }
    }

    /// Runs `body` with the bus: Redis answers a PING first (a wrong address or password is one
    /// line before any work); PostgreSQL's NOTIFY runs inside its pool's scope.
    static func with<Result>(
        _ value: String, logger: Logger, _ body: (any MessageBus) async throws -> Result
    ) async throws -> Result {
        if PostgresSettings.isURL(value) {
            let settings = try PostgresSettings(url: value, environment: ProcessInfo.processInfo.environment)
            return try await PostgresBarStore.withStore(settings, logger: logger) { database in
                logger.info("publishing on PostgreSQL NOTIFY, \(settings.redacted)")
                return try await body(PostgresNotifyBus(store: database, logger: logger))
            }
        }
        switch value {
        case "redis":
            let configuration = try RedisConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
            let redis = RedisMessageBus(configuration: configuration, logger: logger)
            try await redis.ping()
            logger.info("publishing on redis \(configuration)")
            return try await body(redis)
        case "log":
            return try await body(LogLineBus(topicPrefix: "bars."))
        default:
            return try await body(InProcessBus())
        }
    }
}

/// Writes each message whose topic starts with `topicPrefix` as one JSON line on standard error
/// (`{"event":"bus","topic":…,"payload":…}`), for a parent process that relays it (the gui's
/// monitor); subscribers in this process get every message as from an in-process bus.
struct LogLineBus: MessageBus {
    let topicPrefix: String
    private let local = InProcessBus()

    init(topicPrefix: String) { self.topicPrefix = topicPrefix }

    func publish(_ message: BusMessage) async {
        if message.topic.hasPrefix(topicPrefix) {
            JSONLine.write(["event": "bus", "topic": message.topic, "payload": message.text])
        }
        await local.publish(message)
    }

    func subscribe(topicPrefix: String, bufferSize: Int) -> AsyncStream<BusMessage> {
        local.subscribe(topicPrefix: topicPrefix, bufferSize: bufferSize)
    }
}
