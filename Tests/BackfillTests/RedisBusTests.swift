import Foundation
import MessageBus
import RedisBus
import Testing

/// `RedisMessageBus` against a real `redis-server` started per test on a free loopback port.
@Suite("Redis message bus", .serialized)
struct RedisBusTests {
    static func bar(_ symbol: String, _ n: Int) -> BusMessage {
        BusMessage(topic: Topic.bars(timeframe: "1m", symbol: symbol), text: #"{"s":"\#(symbol)","n":\#(n)}"#)
    }

    @Test("a message published on one bus reaches prefix subscribers on another, and only those")
    func crossInstance() async throws {
        let server = try await RedisServer.started()
        defer { server.stop() }
        let publisher = RedisMessageBus(configuration: server.configuration, logger: TestSupport.quietLogger)
        try await withRunningBus(server.configuration) { subscriber in
            let minutes = MessageCollector()
            let apple = MessageCollector()
            let progress = MessageCollector()
            let minuteStream = try await subscriber.subscription(topicPrefix: "bars.1m.")
            let appleStream = try await subscriber.subscription(topicPrefix: "bars.1m.AAPL")
            let progressStream = try await subscriber.subscription(topicPrefix: Topic.progress)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await minutes.collect(minuteStream) }
                group.addTask { await apple.collect(appleStream) }
                group.addTask { await progress.collect(progressStream) }
                defer { group.cancelAll() }
                for n in 0..<3 {
                    await publisher.publish(Self.bar("AAPL", n))
                    await publisher.publish(Self.bar("MSFT", n))
                }
                await publisher.publish(BusMessage(topic: "bars.5m.AAPL", text: "{}"))
                let receivers = try await publisher.publishReportingReceivers(
                    BusMessage(topic: Topic.progress, text: #"{"done":1}"#))
                #expect(receivers == 1)
                #expect(await minutes.waitFor(count: 6))
                #expect(await apple.waitFor(count: 3))
                #expect(await progress.waitFor(count: 1))
                #expect(
                    minutes.messages.map(\.text)
                        == (0..<3).flatMap { [Self.bar("AAPL", $0).text, Self.bar("MSFT", $0).text] })
                #expect(apple.messages == (0..<3).map { Self.bar("AAPL", $0) })
                #expect(progress.messages == [BusMessage(topic: "backfill.progress", text: #"{"done":1}"#)])
            }
        }
        publisher.close()
    }

    @Test("a pipelined batch is delivered whole and in order, with one receiver count per message")
    func pipelinedBatch() async throws {
        let server = try await RedisServer.started()
        defer { server.stop() }
        try await withRunningBus(server.configuration) { bus in
            let received = MessageCollector()
            let stream = try await bus.subscription(topicPrefix: "bars.", bufferSize: 1_000)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await received.collect(stream) }
                defer { group.cancelAll() }
                let batch = (0..<500).map { Self.bar($0.isMultiple(of: 2) ? "AAPL" : "MSFT", $0) }
                let counts = try await bus.publish(contentsOf: batch + [BusMessage(topic: "other.x", text: "")])
                #expect(counts == Array(repeating: 1, count: 500) + [0])
                #expect(await received.waitFor(count: 500))
                #expect(received.messages == batch)
            }
        }
    }

    @Test("replies and deliveries far larger than one socket read arrive whole and byte-exact")
    func largeFrames() async throws {
        let server = try await RedisServer.started()
        defer { server.stop() }
        // 1 MB: every byte value (CR and LF included), then bytes in an order that is not periodic.
        let payload = Array(0...255) + (256..<1_000_000).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
        let connection = try await RedisConnection.connect(server.configuration)
        defer { connection.close() }
        var set = RESPCommand("SET", "big")
        set.append(payload)
        try await connection.send(set)
        // Pipelined behind the big reply: replies must stay paired with their commands.
        let replies = try await connection.send(pipelined: [
            RESPCommand("GET", "big"), RESPCommand("STRLEN", "big"), RESPCommand("GET", "missing"),
        ])
        #expect(replies == [.bulkString(payload), .integer(1_000_000), .null])

        try await withRunningBus(server.configuration) { bus in
            let received = MessageCollector()
            let stream = try await bus.subscription(topicPrefix: "blob.")
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await received.collect(stream) }
                defer { group.cancelAll() }
                await bus.publish(BusMessage(topic: "blob.1", payload: payload))
                await bus.publish(BusMessage(topic: "blob.2", text: "after"))
                #expect(await received.waitFor(count: 2))
                #expect(
                    received.messages == [
                        BusMessage(topic: "blob.1", payload: payload), BusMessage(topic: "blob.2", text: "after"),
                    ])
            }
        }
    }

    @Test("a ticker with glob characters is matched literally, not as a pattern")
    func globTicker() async throws {
        let server = try await RedisServer.started()
        defer { server.stop() }
        try await withRunningBus(server.configuration) { bus in
            let starred = MessageCollector()
            let stream = try await bus.subscription(topicPrefix: "bars.1m.BRK*")
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await starred.collect(stream) }
                defer { group.cancelAll() }
                // Would match the unescaped pattern bars.1m.BRK*: must not arrive.
                await bus.publish(Self.bar("BRKA", 1))
                await bus.publish(Self.bar("BRK[B]", 2))
                await bus.publish(Self.bar("BRK*A", 3))
                #expect(await starred.waitFor(count: 1))
                // A later message proves the earlier ones were not merely slow.
                await bus.publish(Self.bar("BRK*B", 4))
                #expect(await starred.waitFor(count: 2))
                #expect(starred.messages == [Self.bar("BRK*A", 3), Self.bar("BRK*B", 4)])
            }
        }
    }

    @Test("a slow subscriber keeps the newest messages within its buffer and never holds up others")
    func boundedBuffer() async throws {
        let server = try await RedisServer.started()
        defer { server.stop() }
        try await withRunningBus(server.configuration) { bus in
            let slow = try await bus.subscription(topicPrefix: "bars.", bufferSize: 3)
            let fast = MessageCollector()
            let fastStream = try await bus.subscription(topicPrefix: "bars.", bufferSize: 100)
            let marker = MessageCollector()
            let markerStream = try await bus.subscription(topicPrefix: "sync.")
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await fast.collect(fastStream) }
                group.addTask { await marker.collect(markerStream) }
                defer { group.cancelAll() }
                for n in 1...10 { await bus.publish(Self.bar("AAPL", n)) }
                // The subscriber connection hands messages out in order, so once the marker is in,
                // all ten bars have been offered to both subscribers.
                await bus.publish(BusMessage(topic: "sync.done", text: ""))
                #expect(await marker.waitFor(count: 1))
                #expect(fast.messages == (1...10).map { Self.bar("AAPL", $0) })
                var iterator = slow.makeAsyncIterator()
                var kept: [BusMessage] = []
                for _ in 0..<3 { if let message = await iterator.next() { kept.append(message) } }
                #expect(kept == (8...10).map { Self.bar("AAPL", $0) })
                await bus.publish(Self.bar("AAPL", 11))
                #expect(await iterator.next() == Self.bar("AAPL", 11))
            }
        }
    }

    @Test("after redis-server restarts, the subscriber reconnects, resubscribes and receives again")
    func restart() async throws {
        let server = try await RedisServer.started()
        defer { server.stop() }
        let publisher = RedisMessageBus(configuration: server.configuration, logger: TestSupport.quietLogger)
        try await withRunningBus(server.configuration) { bus in
            let received = MessageCollector()
            let stream = try await bus.subscription(topicPrefix: "bars.1m.")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await received.collect(stream) }
                defer { group.cancelAll() }
                await publisher.publish(Self.bar("AAPL", 1))
                #expect(await received.waitFor(count: 1))
                #expect(bus.subscriberConnects == 1)

                try await server.restart()
                // Publishing during the reconnect window is lost by design; keep publishing until
                // one arrives, which proves both connections came back and the pattern was resubscribed.
                let deadline = ContinuousClock.now + .seconds(15)
                var n = 2
                while received.messages.count < 2, ContinuousClock.now < deadline {
                    await publisher.publish(Self.bar("AAPL", n))
                    n += 1
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(received.messages.count >= 2)
                #expect(received.messages.first == Self.bar("AAPL", 1))
                #expect(bus.subscriberConnects == 2)
                let receivers = try await publisher.publishReportingReceivers(Self.bar("AAPL", 999))
                #expect(receivers == 1, "one pattern subscription after the restart, not zero or two")
            }
        }
        publisher.close()
    }

    @Test("a wrong password is one clear line that names REDIS_PASSWORD and never shows it")
    func wrongPassword() async throws {
        let server = try await RedisServer.started(password: "right-horse-battery")
        defer { server.stop() }
        var configuration = server.configuration
        configuration.password = "wrong-staple-7731"
        let bus = RedisMessageBus(configuration: configuration, logger: TestSupport.quietLogger)
        let error = await #expect(throws: RedisBusError.self) { try await bus.ping() }
        #expect(error?.code == .authentication)
        #expect(error?.message.hasPrefix("Redis refused the password in REDIS_PASSWORD") == true)
        #expect(error?.message.contains("wrong-staple-7731") == false)
        #expect(error?.message.contains("\n") == false)
        // And run() stops with it rather than retrying a password forever.
        let runError = await #expect(throws: RedisBusError.self) { try await bus.run() }
        #expect(runError?.code == .authentication)

        configuration.password = nil
        let missing = await #expect(throws: RedisBusError.self) {
            try await RedisMessageBus(configuration: configuration, logger: TestSupport.quietLogger).ping()
        }
        #expect(missing?.message.contains("requires a password; set REDIS_PASSWORD") == true)

        // The other way round: a password for a Redis that has none.
        let open = try await RedisServer.started()
        defer { open.stop() }
        var extra = open.configuration
        extra.password = "left-over-secret"
        let unexpected = await #expect(throws: RedisBusError.self) {
            try await RedisMessageBus(configuration: extra, logger: TestSupport.quietLogger).ping()
        }
        #expect(unexpected?.message.contains("REDIS_PASSWORD is set but Redis at") == true)
        #expect(unexpected?.message.contains("left-over-secret") == false)
    }

    @Test("an unreachable port is one clear line naming the address and REDIS_HOST/REDIS_PORT")
    func unreachable() async throws {
        let port = try RedisServer.freePort()
        let configuration = RedisConfiguration(host: "127.0.0.1", port: port, password: "never-printed")
        let error = await #expect(throws: RedisBusError.self) { try await RedisConnection.connect(configuration) }
        #expect(
            error?.message == "cannot reach Redis at 127.0.0.1:\(port) (REDIS_HOST/REDIS_PORT): connection refused")
        #expect(error?.code == .unreachable)
        #expect(error?.isRetryable == true)
        // publish() does not throw or block the writer while Redis is away.
        let bus = RedisMessageBus(configuration: configuration, logger: TestSupport.quietLogger)
        await bus.publish(Self.bar("AAPL", 1))
        let publishError = await #expect(throws: RedisBusError.self) {
            try await bus.publishReportingReceivers(Self.bar("AAPL", 2))
        }
        #expect(publishError?.message.contains("never-printed") == false)
    }
}
