import MessageBus
import RedisBus
import Testing

/// `RedisStream` consumer groups against a real `redis-server`.
@Suite("Redis streams", .serialized)
struct RedisStreamTests {
    static func progress(_ n: Int) -> BusMessage {
        BusMessage(topic: Topic.progress, text: #"{"task":\#(n)}"#)
    }

    static func stream(_ server: RedisServer, consumer: String = "worker-1", maxLength: Int = 1_000) -> RedisStream {
        RedisStream(
            redis: server.configuration,
            configuration: .init(
                key: "backfill.progress", group: "writers", consumer: consumer, maxLength: maxLength, batchSize: 4,
                block: .milliseconds(100)),
            logger: TestSupport.quietLogger)
    }

    /// Reads until `count` entries arrived or a read comes back empty.
    static func read(_ stream: RedisStream, count: Int) async throws -> [RedisStream.Entry] {
        var entries: [RedisStream.Entry] = []
        while entries.count < count {
            let batch = try await stream.read()
            if batch.isEmpty { break }
            entries += batch
        }
        return entries
    }

    /// One read; nil when it failed with a retryable error (Redis still coming back).
    static func readRetryable(_ stream: RedisStream) async -> [RedisStream.Entry]? {
        do {
            return try await stream.read()
        } catch {
            #expect(error.isRetryable, "\(error)")
            return nil
        }
    }

    @Test("a restarted consumer gets exactly its unacknowledged entries again, then new ones; none twice after ack")
    func resumeAfterConsumerRestart() async throws {
        let server = try await RedisServer.started()
        defer { server.stop() }
        let producer = Self.stream(server, consumer: "producer")
        defer { producer.close() }
        try await producer.createGroup()
        var ids: [String] = []
        for n in 0..<10 { ids.append(try await producer.append(Self.progress(n))) }

        let first = Self.stream(server)
        let batch = try await Self.read(first, count: 8)
        #expect(batch.map(\.message) == (0..<8).map(Self.progress), "two batches of four")
        // Work done for the first three only; then the process "dies".
        #expect(try await first.acknowledge(batch.prefix(3).map(\.id)) == 3)
        first.close()
        for n in 10..<12 { ids.append(try await producer.append(Self.progress(n))) }

        let second = Self.stream(server)
        defer { second.close() }
        let resumed = try await Self.read(second, count: 9)
        #expect(resumed.map(\.message) == (3..<12).map(Self.progress), "3…7 pending again, then 8…11 new")
        #expect(resumed.map(\.id) == Array(ids[3...]))
        #expect(try await second.acknowledge(resumed.map(\.id)) == 9)
        #expect(try await second.pendingCount() == 0)
        #expect(try await second.read().isEmpty, "nothing is delivered twice once acknowledged")

        // A third incarnation after everything was acknowledged starts clean and sees only new entries.
        let third = Self.stream(server)
        defer { third.close() }
        try await producer.append(Self.progress(12))
        #expect(try await Self.read(third, count: 1).map(\.message) == [Self.progress(12)])
    }

    @Test("appends cap the stream near MAXLEN")
    func boundedLength() async throws {
        let server = try await RedisServer.started()
        defer { server.stop() }
        let stream = Self.stream(server, maxLength: 50)
        defer { stream.close() }
        try await stream.createGroup()
        for n in 0..<2_000 { try await stream.append(Self.progress(n)) }
        let connection = try await RedisConnection.connect(server.configuration)
        defer { connection.close() }
        let length = try await connection.send(RESPCommand("XLEN", "backfill.progress"))
        let count = try #require(length.integer)
        // `~` trims whole macro nodes (100 entries by default), so the length stays near, not at, 50.
        #expect(count >= 50 && count < 300, "XLEN \(count)")
    }

    @Test("after redis-server restarts (append-only file), the consumer resumes from its last acknowledged entry")
    func resumeAfterRedisRestart() async throws {
        let server = try await RedisServer.started(persistent: true)
        defer { server.stop() }
        let consumer = Self.stream(server)
        defer { consumer.close() }
        try await consumer.createGroup()
        for n in 0..<8 { try await consumer.append(Self.progress(n)) }
        let batch = try await Self.read(consumer, count: 4)
        #expect(batch.map(\.message) == (0..<4).map(Self.progress))
        try await consumer.acknowledge(batch.prefix(2).map(\.id))

        try await server.restart()

        // The first command after the restart finds the old connection gone; reads resume after retrying.
        var resumed: [RedisStream.Entry] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while resumed.count < 6, ContinuousClock.now < deadline {
            let result = await Self.readRetryable(consumer)
            guard let next = result else {
                try await Task.sleep(for: .milliseconds(50))
                continue
            }
            if next.isEmpty { break }
            resumed += next
        }
        #expect(resumed.map(\.message) == (2..<8).map(Self.progress), "2 and 3 pending again, then 4…7")
    }
}
