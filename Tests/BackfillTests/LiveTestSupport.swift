import BackfillCore
import Foundation
import Ingestion
import MessageBus
import Polygon
import PolygonSandbox
import Storage
import Synchronization
import Testing

/// A sandbox replaying 2025-01-06 from 10:00 fast, a real SQLite file, the in-process bus with a
/// subscriber on every bar topic, a feed client and a live ingestor, all on loopback.
enum LiveTestSupport {
    struct Harness: Sendable {
        let baseURL: String
        let store: SQLiteBarStore
        let client: RESTClient
        let ingestor: LiveIngestor
        let feed: FeedClient
        let trigger: SandboxFeedTrigger
        let published: BusRecorder
        /// The bus the ingestor publishes on (for other subscribers, such as the gui's live socket).
        let bus: InProcessBus
    }

    /// The 2025-01-06 session, the replayed day.
    static let day = LocalDate(year: 2025, month: 1, day: 6)!

    /// Runs everything, hands `body` the harness, then stops the ingestor (which stores what it
    /// has and saves its states) and returns `body`'s result. `prepare` runs against the sandbox
    /// and the store before the ingestor starts. The test fails after `timeout` seconds instead of hanging.
    static func withLive<T: Sendable>(
        symbols: [String], faults: FaultInjector = FaultInjector(), speed: Double = 600, timeout: Double = 180,
        configureFeed: @escaping @Sendable (inout FeedClient.Configuration) -> Void = { _ in },
        configuration: LiveIngestor.Configuration = .init(catchUpSession: false),
        prepare: @escaping @Sendable (SQLiteBarStore, RESTClient) async throws -> Void = { _, _ in },
        _ body: @escaping @Sendable (Harness) async throws -> T
    ) async throws -> T {
        let trigger = SandboxFeedTrigger()
        let sandbox = SandboxServer(
            configuration: SandboxConfiguration(
                faults: faults, nowMs: { TestSupport.nowMs }, logger: TestSupport.quietLogger,
                feed: .init(replayStartMs: WebSocketTestSupport.replayStartMs, speed: speed, trigger: trigger)))
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("live.sqlite").path
        return try await sandbox.withRunning { baseURL in
            let store = try SQLiteBarStore(path: path)
            let client = TestSupport.client(baseURL: baseURL)
            try await prepare(store, client)
            var feedConfiguration = WebSocketTestSupport.configuration(
                baseURL: baseURL, topics: symbols.map { FeedTopic(.minuteBars, $0) })
            configureFeed(&feedConfiguration)
            let feed = FeedClient(configuration: feedConfiguration, logger: TestSupport.quietLogger)
            let bus = InProcessBus()
            let recorder = BusRecorder(bus.subscribe(topicPrefix: "bars.1m.", bufferSize: 100_000))
            let ingestor = LiveIngestor(
                store: store, bus: bus, client: client, configuration: configuration, logger: TestSupport.quietLogger)
            let harness = Harness(
                baseURL: baseURL, store: store, client: client, ingestor: ingestor, feed: feed, trigger: trigger,
                published: recorder, bus: bus)
            return try await run(harness, symbols: symbols, timeout: timeout, body)
        }
    }

    private enum Finished<T: Sendable>: Sendable {
        case ingestor, body(T)
    }

    private static func run<T: Sendable>(
        _ harness: Harness, symbols: [String], timeout: Double, _ body: @escaping @Sendable (Harness) async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: Finished<T>.self) { group in
            group.addTask {
                try await harness.ingestor.run(feed: harness.feed, symbols: symbols)
                return .ingestor
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(timeout * 1_000)))
                throw WebSocketTestSupport.TimedOut(seconds: timeout)
            }
            group.addTask { .body(try await body(harness)) }
            var result: T?
            while let finished = try await group.next() {
                switch finished {
                case .body(let value):
                    result = value
                    harness.ingestor.stop()
                case .ingestor:
                    guard let result else { throw IngestorEnded() }
                    // The bus recorder reads on its own task: let it catch up with every publication.
                    let published = harness.ingestor.statistics.published
                    try await waitUntil { harness.published.all.count >= published }
                    group.cancelAll()
                    return result
                }
            }
            throw IngestorEnded()
        }
    }

    struct IngestorEnded: Error, CustomStringConvertible {
        var description: String { "the ingestor ended before the test body" }
    }

    /// Waits until `condition` holds, checking every 20 ms (the harness's timeout bounds it).
    static func waitUntil(_ condition: @Sendable () async throws -> Bool) async throws {
        while try await !condition() {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The sandbox's REST minute bars of `symbol` on the replayed day from `fromMs` through `toMs`.
    static func restBars(_ client: RESTClient, _ symbol: String, fromMs: Int64, toMs: Int64) async throws -> [Bar] {
        let range = try #require(DayRange(day, day))
        return try await client.aggregates(ticker: symbol, timeframe: .minute, range: range).bars
            .filter { $0.windowStartMs >= fromMs && $0.windowStartMs <= toMs }
    }

    /// A number read back from a published payload equals `expected`. Within 1e-15 relative:
    /// Foundation's `JSONSerialization` on Linux is not correctly rounded (it can miss the last bit
    /// of a 17-digit number the payload wrote exactly); the engines themselves are compared bit for bit.
    static func same(_ parsed: Any?, _ expected: Double?) -> Bool {
        guard let expected else { return parsed == nil || parsed is NSNull }
        guard let value = parsed as? Double else { return false }
        return abs(value - expected) <= 1e-15 * max(1, abs(expected))
    }

    /// Every stored minute bar of `symbol`.
    static func stored(_ store: SQLiteBarStore, _ symbol: String) async throws -> [Bar] {
        try await store.bars(symbol: symbol, timeframe: .minute, fromMs: .min, toMs: .max, limit: 1_000_000)
    }

    /// The last bar of the state saved at stop: the newest bar more than the revision horizon (15
    /// minutes) before the newest stored one, or the newest when every bar is inside the horizon.
    static func savedStateLastMs(_ stored: [Bar]) -> Int64? {
        guard let newest = stored.last?.windowStartMs else { return nil }
        return stored.last { newest - $0.windowStartMs > 15 * 60_000 }?.windowStartMs ?? newest
    }

    /// The saved indicator state of `symbol` and the engine a batch run over `bars` reaches at the
    /// same last bar: equal when the live indicators continued correctly.
    static func savedAndBatchEngines(_ store: SQLiteBarStore, _ symbol: String, over bars: [Bar]) async throws
        -> (saved: IndicatorEngine, batch: IndicatorEngine)
    {
        let saved = try #require(try await store.indicatorState(symbol: symbol, timeframe: .minute))
        let engine = try IndicatorEngine(savedState: saved.state)
        var batch = try IndicatorEngine()
        for bar in bars where bar.windowStartMs <= saved.lastMs { _ = batch.update(bar) }
        return (engine, batch)
    }
}

/// Collects bus messages in the background; read the snapshot at any time.
final class BusRecorder: Sendable {
    private final class Log: Sendable {
        let messages = Mutex<[BusMessage]>([])
    }

    private let log: Log
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<BusMessage>) {
        let log = Log()
        self.log = log
        // A test-only reader: it lives as long as the recorder and ends with the stream.
        task = Task { for await message in stream { log.messages.withLock { $0.append(message) } } }
    }

    deinit { task.cancel() }

    var all: [BusMessage] { log.messages.withLock { $0 } }

    /// The payloads published on `bars.1m.{symbol}`, decoded.
    func payloads(_ symbol: String) throws -> [[String: Any]] {
        try all.filter { $0.topic == Topic.bars(timeframe: "1m", symbol: symbol) }.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.payload)) as? [String: Any])
        }
    }
}

extension Bar {
    /// Prices, volume and VWAP equal (the feed sends no trade count; REST does).
    func sameMarketValues(as other: Bar) -> Bool {
        windowStartMs == other.windowStartMs && open == other.open && high == other.high && low == other.low
            && close == other.close && volume == other.volume && vwap == other.vwap
    }
}
