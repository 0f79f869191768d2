import Logging
import MessageBus
import Synchronization

/// `MessageBus` over Redis pub/sub: `publish` is `PUBLISH topic payload` on a command connection;
/// each distinct topic prefix is one `PSUBSCRIBE` on a subscriber connection, fanned out locally to
/// that prefix's subscribers, each through its own bounded drop-oldest buffer.
///
/// `run()` keeps the subscriber connection up: it connects, subscribes every wanted pattern, and
/// after a drop reconnects with backoff and subscribes them again. Messages published while the
/// subscriber is disconnected are lost (pub/sub has no memory; use `RedisStream` where that matters).
public final class RedisMessageBus: MessageBus {
    let configuration: RedisConfiguration
    let logger: Logger
    let publisher: RedisClient
    let subscriptions: SubscriptionTable
    private let publishFailing = Atomic<Bool>(false)
    private let reconnects = Atomic<Int>(0)

    public init(configuration: RedisConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.publisher = RedisClient(configuration: configuration)
        self.subscriptions = SubscriptionTable()
    }

    /// Publishes and logs (once per outage) instead of throwing: the bus must never stop the writer.
    public func publish(_ message: BusMessage) async {
        do {
            try await publishReportingReceivers(message)
            if publishFailing.exchange(false, ordering: .relaxed) {
                logger.info("redis publishing again", metadata: ["redis.endpoint": "\(configuration.endpoint)"])
            }
        } catch {
            if !publishFailing.exchange(true, ordering: .relaxed) {
                logger.warning("redis publish failed, messages are dropped until it is back: \(error.message)")
            }
        }
    }

    /// `PUBLISH`, returning how many Redis subscriptions (patterns, across all clients) received it.
    /// - Throws: `RedisBusError` when Redis cannot be reached or refuses the password.
    @discardableResult
    public func publishReportingReceivers(_ message: BusMessage) async throws(RedisBusError) -> Int {
        var command = RESPCommand("PUBLISH", message.topic)
        command.append(message.payload)
        let reply = try await publisher.send(command)
        return Int(reply.integer ?? 0)
    }

    /// Publishes several messages in one write (a minute's bars at once); returns, per message, how
    /// many Redis subscriptions received it.
    /// - Throws: `RedisBusError` when Redis cannot be reached or refuses the password.
    @discardableResult
    public func publish(contentsOf messages: [BusMessage]) async throws(RedisBusError) -> [Int] {
        let commands = messages.map { message in
            var command = RESPCommand("PUBLISH", message.topic)
            command.append(message.payload)
            return command
        }
        let replies = try await publisher.connection().send(pipelined: commands)
        return replies.map { Int($0.integer ?? 0) }
    }

    /// Checks that Redis answers and accepts the password, for a clear error at startup.
    public func ping() async throws(RedisBusError) {
        try await publisher.send(RESPCommand("PING"))
    }

    /// Messages whose topic starts with `topicPrefix`. Redis starts delivering once `run()` has
    /// subscribed the pattern; use `subscription(topicPrefix:bufferSize:)` to wait for that.
    public func subscribe(topicPrefix: String, bufferSize: Int = 1_024) -> AsyncStream<BusMessage> {
        let pattern = TopicPattern.pattern(forPrefix: topicPrefix)
        let (stream, continuation) = AsyncStream.makeStream(
            of: BusMessage.self, bufferingPolicy: .bufferingNewest(max(1, bufferSize)))
        let (id, connection, isNew) = subscriptions.add(pattern: pattern, continuation: continuation)
        continuation.onTermination = { [subscriptions] _ in
            if case let (connection, pattern)? = subscriptions.remove(id: id) {
                connection.sendAndForget(RESPCommand("PUNSUBSCRIBE", pattern))
            }
        }
        if isNew, let connection { connection.sendAndForget(RESPCommand("PSUBSCRIBE", pattern)) }
        return stream
    }

    /// Like `subscribe`, but returns once Redis has confirmed the pattern, so that a message
    /// published afterwards is delivered. Waits for `run()` to connect if it has not yet.
    /// - Throws: `CancellationError` when the task is cancelled while waiting; `RedisBusError` when
    ///   Redis refuses the subscription.
    public func subscription(topicPrefix: String, bufferSize: Int = 1_024) async throws -> AsyncStream<BusMessage> {
        let stream = subscribe(topicPrefix: topicPrefix, bufferSize: bufferSize)
        let pattern = TopicPattern.pattern(forPrefix: topicPrefix)
        while true {
            try Task.checkCancellation()
            if let connection = subscriptions.connection {
                // PSUBSCRIBE of a pattern already subscribed is a no-op that still confirms.
                do {
                    try await connection.send(RESPCommand("PSUBSCRIBE", pattern))
                    return stream
                } catch  where error.code == .server {
                    throw error  // refused (an ACL without pub/sub rights): waiting will not help
                } catch {
                    // The connection dropped: run() reconnects; try again on the next one.
                }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Closes the publishing connection (the next `publish` opens a new one). `run()` closes both
    /// connections itself when cancelled.
    public func close() {
        publisher.close()
    }

    /// How many times `run()` has connected the subscriber connection (1 after the first connect).
    public var subscriberConnects: Int { reconnects.load(ordering: .relaxed) }

    /// Keeps the subscriber connection up until the task is cancelled, then closes both connections
    /// and finishes every subscriber's stream.
    /// - Throws: `RedisBusError` `.authentication` (a wrong password does not fix itself); an
    ///   unreachable Redis is logged and retried with backoff.
    public func run() async throws {
        defer {
            publisher.close()
            subscriptions.finishAll()
        }
        var backoff = ReconnectBackoff()
        var failing = false
        while !Task.isCancelled {
            do {
                try await holdSubscriberConnection { backoff.reset() }
                failing = false
            } catch let error where error.code == .authentication {
                logger.error("\(error.message)")
                throw error
            } catch {
                if !failing {
                    logger.warning("redis subscriber connection lost, reconnecting: \(error.message)")
                }
                failing = true
            }
            try? await Task.sleep(for: backoff.nextDelay())
        }
    }

    /// One connection's life: connect, subscribe every pattern, wait until it closes.
    private func holdSubscriberConnection(onUp: () -> Void) async throws(RedisBusError) {
        let connection = try await RedisConnection.connect(
            configuration, onPush: { [subscriptions] value in subscriptions.deliver(value) })
        let patterns = subscriptions.attach(connection)
        defer { subscriptions.detach(connection) }
        for pattern in patterns {
            try await connection.send(RESPCommand("PSUBSCRIBE", pattern))
        }
        onUp()
        let count = reconnects.add(1, ordering: .relaxed).newValue
        logger.info(
            count == 1 ? "redis subscriber connected" : "redis subscriber reconnected and resubscribed",
            metadata: ["redis.endpoint": "\(configuration.endpoint)", "redis.patterns": "\(patterns.count)"])
        await withTaskCancellationHandler {
            await connection.closed()
        } onCancel: {
            connection.close()
        }
    }
}
