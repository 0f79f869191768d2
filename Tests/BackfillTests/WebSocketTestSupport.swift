import BackfillCore
import Polygon
import PolygonSandbox
import Testing

/// A sandbox replaying a fixed session fast, a feed client against it, and an event reader with
/// a deadline so that no test can hang.
enum WebSocketTestSupport {
    /// 2025-01-06 (a Monday session) 10:00 New York, ms UTC.
    static let replayStartMs = EasternTime.utcMilliseconds(
        on: LocalDate(year: 2025, month: 1, day: 6)!, minutesAfterMidnight: 600)
    /// A market minute every 0.1 s.
    static let speed = 600.0

    static func sandbox(faults: FaultInjector = FaultInjector(), speed: Double = speed) -> SandboxServer {
        SandboxServer(
            configuration: SandboxConfiguration(
                faults: faults, nowMs: { TestSupport.nowMs }, logger: TestSupport.quietLogger,
                feed: .init(replayStartMs: replayStartMs, speed: speed)))
    }

    static func configuration(
        baseURL: String, topics: [FeedTopic], apiKey: String = SandboxConfiguration.defaultAPIKey
    ) -> FeedClient.Configuration {
        FeedClient.Configuration(
            url: FeedClient.Configuration.url(forBaseURL: baseURL), apiKey: apiKey, topics: topics,
            pingInterval: .seconds(5), handshakeTimeout: .seconds(5),
            reconnect: RetryPolicy(maxAttempts: 5, baseDelay: 0.05, maxDelay: 0.05))
    }

    /// Runs a sandbox and a client against it, hands `body` the client and a reader of its events,
    /// then stops both. The whole test fails after `timeout` seconds instead of hanging.
    static func withFeed<T: Sendable>(
        _ sandbox: SandboxServer, topics: [FeedTopic], timeout: Double = 60,
        configure: @escaping @Sendable (inout FeedClient.Configuration) -> Void = { _ in },
        _ body: @escaping @Sendable (FeedClient, EventReader) async throws -> T
    ) async throws -> T {
        try await sandbox.withRunning { baseURL in
            var configuration = configuration(baseURL: baseURL, topics: topics)
            configure(&configuration)
            let client = FeedClient(configuration: configuration, logger: TestSupport.quietLogger)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await client.run()
                    return nil
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int64(timeout * 1_000)))
                    throw TimedOut(seconds: timeout)
                }
                group.addTask { try await body(client, EventReader(client.events)) }
                while let result = try await group.next() {
                    if let result {
                        group.cancelAll()
                        return result
                    }
                }
                throw TimedOut(seconds: 0)
            }
        }
    }

    struct TimedOut: Error, CustomStringConvertible {
        var seconds: Double
        var description: String { "the feed test did not finish within \(seconds) s" }
    }
}

/// Reads a client's events in order; only one task may use it.
final class EventReader: @unchecked Sendable {
    // @unchecked: the iterator is used by the one test task that owns this reader, never shared.
    private var iterator: AsyncStream<FeedEvent>.Iterator
    /// Every event read so far.
    private(set) var history: [FeedEvent] = []

    init(_ events: AsyncStream<FeedEvent>) {
        self.iterator = events.makeAsyncIterator()
    }

    /// The next event, or nil when the feed ended.
    func next() async -> FeedEvent? {
        guard let event = await iterator.next() else { return nil }
        history.append(event)
        return event
    }

    /// Reads until `pick` returns a value for `count` events, and returns those values.
    func collect<T>(_ count: Int, _ pick: (FeedEvent) -> T?) async throws -> [T] {
        var found: [T] = []
        while found.count < count {
            guard let event = await next() else { throw EndOfFeed(history: history.count) }
            if let value = pick(event) { found.append(value) }
        }
        return found
    }

    /// The next event `pick` accepts.
    func first<T>(_ pick: (FeedEvent) -> T?) async throws -> T {
        try await collect(1, pick)[0]
    }

    struct EndOfFeed: Error {
        var history: Int
    }
}

extension FeedEvent {
    var minuteBar: FeedAggregate? { if case .minuteBar(let bar) = self { bar } else { nil } }
    var secondBar: FeedAggregate? { if case .secondBar(let bar) = self { bar } else { nil } }
    var trade: FeedTrade? { if case .trade(let trade) = self { trade } else { nil } }
    var gap: FeedGap? { if case .gap(let gap) = self { gap } else { nil } }
    var status: FeedStatus? { if case .status(let status) = self { status } else { nil } }
    var streamingConnection: Int? {
        if case .connection(.streaming(let count)) = self { count } else { nil }
    }
}
