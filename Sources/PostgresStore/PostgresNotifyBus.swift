import Logging
import MessageBus
import PostgresNIO
import Synchronization

/// A lightweight ``MessageBus`` on PostgreSQL's LISTEN/NOTIFY, for when no Redis is configured:
/// every process connected to the same database sees the others' messages (a backfill worker's
/// progress, a "new bars" wake-up). Messages travel as `NOTIFY` payloads on one channel
/// (`topic`, a newline, the payload as UTF-8 text), so a payload is at most ~8,000 bytes and only
/// subscribers listening at the time receive it (no history: use Redis Streams for that).
///
/// Run ``run()`` in a task group beside the work: it holds one pooled connection in `LISTEN` and
/// reconnects (re-listening) after a failure until cancelled; messages arriving fan out to local
/// subscribers through an ``InProcessBus`` (bounded, drop-oldest).
public final class PostgresNotifyBus: MessageBus {
    /// The NOTIFY channel.
    public static let channel = "backfill_bus"
    /// PostgreSQL's payload limit is 8,000 bytes; topic and separator included.
    public static let maximumPayloadBytes = 7_999

    let store: PostgresBarStore
    let logger: Logger
    private let local = InProcessBus()
    private let listening = Mutex(false)

    public init(store: PostgresBarStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Whether the `LISTEN` is in place (messages published from now on arrive).
    public var isListening: Bool { listening.withLock { $0 } }

    /// Listens until cancelled, reconnecting after a lost connection (1 s apart).
    public func run() async {
        while !Task.isCancelled {
            do {
                try await store.client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        listening.withLock { $0 = true }
                        for try await notification in notifications {
                            guard let message = Self.decode(notification.payload) else { continue }
                            await local.publish(message)
                        }
                    }
                }
            } catch  where !Task.isCancelled {
                logger.warning("PostgreSQL LISTEN lost (\(PostgresFailure.serverText(error))); listening again in 1 s")
            } catch {}
            listening.withLock { $0 = false }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Sends `message` to every listener on the database. A payload over the limit, or a failure
    /// to reach the server, is logged and the message dropped (publishing never blocks the work).
    public func publish(_ message: BusMessage) async {
        let text = message.topic + "\n" + message.text
        guard text.utf8.count <= Self.maximumPayloadBytes else {
            logger.warning("bus message on \(message.topic) is \(text.utf8.count) bytes, over NOTIFY's limit: dropped")
            return
        }
        do {
            try await store.client.query("SELECT pg_notify(\(Self.channel), \(text))", logger: logger)
        } catch {
            logger.warning("cannot NOTIFY \(message.topic): \(PostgresFailure.serverText(error))")
        }
    }

    public func subscribe(topicPrefix: String, bufferSize: Int) -> AsyncStream<BusMessage> {
        local.subscribe(topicPrefix: topicPrefix, bufferSize: bufferSize)
    }

    static func decode(_ payload: String) -> BusMessage? {
        guard let newline = payload.firstIndex(of: "\n") else { return nil }
        return BusMessage(
            topic: String(payload[..<newline]), text: String(payload[payload.index(after: newline)...]))
    }
}
