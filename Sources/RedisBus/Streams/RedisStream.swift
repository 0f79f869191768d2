import Logging
import MessageBus
import Synchronization

/// Durable consumption through a Redis Stream and a consumer group: a consumer that stops (or a
/// Redis that restarts with persistence) resumes with the entries it was given but did not
/// acknowledge, then continues with new ones. Each entry holds one `BusMessage` (fields `topic`,
/// `payload`); the stream is capped near `maxLength` entries (`XADD … MAXLEN ~`).
///
/// Delivery is at-least-once: an entry read and not yet acknowledged when the consumer stops is
/// read again by the consumer of the same name. Acknowledge after the work is done.
public final class RedisStream: Sendable {
    /// Which stream, group and consumer; how many entries per read and how long a read blocks.
    public struct Configuration: Sendable {
        public var key: String
        public var group: String
        public var consumer: String
        /// Approximate cap on stream length (entries), trimmed on append.
        public var maxLength: Int
        /// Entries per read, at most.
        public var batchSize: Int
        /// How long a read waits for new entries before returning none.
        public var block: Duration

        public init(
            key: String, group: String, consumer: String, maxLength: Int = 100_000, batchSize: Int = 100,
            block: Duration = .seconds(1)
        ) {
            self.key = key
            self.group = group
            self.consumer = consumer
            self.maxLength = maxLength
            self.batchSize = batchSize
            self.block = block
        }
    }

    /// One stream entry: its id (`1718…-0`) and message.
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var message: BusMessage
    }

    /// Where the next read starts: this consumer's unacknowledged entries after an id, or new ones.
    enum Cursor: Equatable {
        case pending(after: String)
        case new
    }

    public let configuration: Configuration
    private let client: RedisClient
    private let cursor = Mutex(Cursor.pending(after: "0"))
    /// The connection the cursor belongs to: a new connection (Redis restarted, or the link
    /// dropped mid-read) may have lost a reply, so reading starts over at the pending entries.
    private let cursorConnection = Mutex<ObjectIdentifier?>(nil)
    private let logger: Logger

    /// A consumer on its own connection (a blocking read must not hold up other commands).
    public init(redis: RedisConfiguration, configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.client = RedisClient(configuration: redis)
        self.logger = logger
    }

    /// Appends `message`; returns the new entry's id.
    /// - Throws: `RedisBusError`.
    @discardableResult
    public func append(_ message: BusMessage) async throws(RedisBusError) -> String {
        var command = RESPCommand(
            "XADD", configuration.key, "MAXLEN", "~", String(configuration.maxLength), "*", "topic", message.topic,
            "payload")
        command.append(message.payload)
        guard let id = try await client.send(command).string else {
            throw .protocolError("XADD on '\(configuration.key)' returned no id")
        }
        return id
    }

    /// Creates the group (and the stream) if missing. `startID` `"0"` delivers entries already in the
    /// stream; `"$"` only those appended later.
    /// - Throws: `RedisBusError`; an existing group is not an error.
    public func createGroup(startID: String = "0") async throws(RedisBusError) {
        do {
            try await client.send(
                RESPCommand("XGROUP", "CREATE", configuration.key, configuration.group, startID, "MKSTREAM"))
        } catch  where error.code == .server && error.message.hasPrefix("BUSYGROUP") {
            return
        }
    }

    /// The next batch: first this consumer's unacknowledged entries (after a restart), then new
    /// ones, waiting up to `block` for them. Empty when nothing arrived in time. After a lost
    /// connection the next read starts again from the unacknowledged entries, so none is skipped.
    /// - Throws: `RedisBusError`; retry those whose `isRetryable` is true.
    public func read() async throws(RedisBusError) -> [Entry] {
        do {
            return try await readOnce()
        } catch  where error.code == .server && error.message.hasPrefix("NOGROUP") {
            // Redis lost the group (restarted without persistence): recreate it and go on.
            logger.warning("redis stream group missing, recreating: \(configuration.key)/\(configuration.group)")
            try await createGroup()
            return try await readOnce()
        } catch {
            if error.isRetryable { cursor.withLock { $0 = .pending(after: "0") } }
            throw error
        }
    }

    private func readOnce() async throws(RedisBusError) -> [Entry] {
        let connection = try await client.connection()
        if cursorConnection.withLock({ $0 }) != ObjectIdentifier(connection) {
            cursorConnection.withLock { $0 = ObjectIdentifier(connection) }
            cursor.withLock { $0 = .pending(after: "0") }
        }
        let position = cursor.withLock { $0 }
        var command = RESPCommand(
            "XREADGROUP", "GROUP", configuration.group, configuration.consumer, "COUNT",
            String(configuration.batchSize))
        switch position {
        case .pending(let after):
            command.arguments += ["STREAMS", configuration.key, after].map { Array($0.utf8) }
        case .new:
            let milliseconds = max(1, Int(configuration.block / .milliseconds(1)))
            command.arguments += ["BLOCK", String(milliseconds), "STREAMS", configuration.key, ">"].map {
                Array($0.utf8)
            }
        }
        let (entries, deleted) = try StreamReply.entries(try await connection.send(command))
        if !deleted.isEmpty { try await acknowledge(deleted) }
        if case .pending = position {
            let last = (entries.map(\.id) + deleted).max(by: StreamReply.idLess)
            cursor.withLock { $0 = last.map { .pending(after: $0) } ?? .new }
            if last == nil { return try await readOnce() }
        }
        return entries
    }

    /// Acknowledges processed entries; returns how many were pending.
    /// - Throws: `RedisBusError`.
    @discardableResult
    public func acknowledge(_ ids: [String]) async throws(RedisBusError) -> Int {
        guard !ids.isEmpty else { return 0 }
        var command = RESPCommand("XACK", configuration.key, configuration.group)
        for id in ids { command.append(id) }
        return Int(try await client.send(command).integer ?? 0)
    }

    /// Entries delivered to this group and not yet acknowledged (`XPENDING` summary count).
    public func pendingCount() async throws(RedisBusError) -> Int {
        let reply = try await client.send(RESPCommand("XPENDING", configuration.key, configuration.group))
        return Int(reply.elements?.first?.integer ?? 0)
    }

    /// Closes the connection.
    public func close() { client.close() }
}
