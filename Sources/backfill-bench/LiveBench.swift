import BackfillCore
import Foundation
import Ingestion
import Logging
import MessageBus
import Polygon
import PolygonSandbox
import Storage
import Synchronization

/// A whole-market minute through live ingestion: the sandbox sends one frame of 10,000 `AM` bars
/// over loopback WebSocket; the feed client decodes it, the ingestor validates, runs the
/// indicators, upserts into SQLite and publishes each bar on the in-process bus (with a
/// subscriber). Timed from the instant the frame is handed to the server's socket to the last bar
/// published, and per bar from the ingestor taking it off the feed to its publication. The first
/// burst creates 10,000 securities and engines (cold); the second is a steady minute (warm).
enum LiveBench {
    static let symbols = 10_000
    /// 2025-01-06, a Monday session: 10:00 and 10:01 New York.
    static let firstMinuteMs = EasternTime.utcMilliseconds(on: LocalDate("2025-01-06")!, minutesAfterMidnight: 600)

    /// Per-burst figures collected by the ingestor's publication hook.
    struct Burst: Sendable {
        var latencies: [Duration] = []
        var published: [ContinuousClock.Instant] = []
        var firstReceived: ContinuousClock.Instant?
        var lastPublished: ContinuousClock.Instant?
    }

    static func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("live-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let logger = {
            var logger = Logger(label: "live-bench")
            logger.logLevel = .warning
            return logger
        }()
        let trigger = SandboxFeedTrigger()
        let universe = SandboxFeed.Configuration.defaultUniverse + (0..<(symbols - 8)).map { "X\($0)" }
        // A Saturday replay: the clock streams nothing; only the trigger sends.
        let quietStart = EasternTime.utcMilliseconds(on: LocalDate("2025-01-04")!, minutesAfterMidnight: 720)
        let sandbox = SandboxServer(
            configuration: SandboxConfiguration(
                logger: logger, feed: .init(replayStartMs: quietStart, speed: 1, universe: universe, trigger: trigger)))
        let bursts = Mutex<[Int64: Burst]>([:])
        let configuration = LiveIngestor.Configuration(
            catchUpSession: false,
            onPublished: { publication in
                bursts.withLock { bursts in
                    var burst = bursts[publication.message.bar.windowStartMs, default: Burst()]
                    burst.latencies.append(publication.publishedAt - publication.receivedAt)
                    burst.published.append(publication.publishedAt)
                    burst.firstReceived = min(burst.firstReceived ?? publication.receivedAt, publication.receivedAt)
                    burst.lastPublished = publication.publishedAt
                    bursts[publication.message.bar.windowStartMs] = burst
                }
            })
        let store = try SQLiteBarStore(path: folder.appendingPathComponent("live.sqlite").path)
        let bus = InProcessBus()
        try await sandbox.withRunning { baseURL in
            let feed = FeedClient(
                configuration: .init(
                    url: FeedClient.Configuration.url(forBaseURL: baseURL), apiKey: SandboxConfiguration.defaultAPIKey,
                    topics: [.all(.minuteBars)], bufferSize: 50_000),
                logger: logger)
            let ingestor = LiveIngestor(
                store: store, bus: bus, client: nil, configuration: configuration, logger: logger)
            let subscriber = bus.subscribe(topicPrefix: "bars.1m.", bufferSize: 4 * symbols)
            try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    try await ingestor.run(feed: feed, symbols: nil)
                    return 0
                }
                group.addTask {
                    var count = 0
                    for await _ in subscriber { count += 1 }
                    return count
                }
                try await waitUntil("the feed subscribes AM.*") { trigger.subscribedMinuteSymbols == symbols }
                for (index, label) in ["cold", "warm"].enumerated() {
                    let minute = firstMinuteMs + Int64(index) * 60_000
                    trigger.send(.init(minuteStartMs: minute, standIns: true))
                    try await waitUntil("\(symbols) bars of \(label) burst published") {
                        bursts.withLock { $0[minute]?.latencies.count ?? 0 } >= symbols
                    }
                    let sent = trigger.sentAt[index]
                    report(label, bursts.withLock { $0[minute] ?? Burst() }, sent: sent)
                }
                ingestor.stop()
                _ = try await group.next()
                group.cancelAll()
            }
            let statistics = ingestor.statistics
            print(
                "stored \(statistics.stored) (changed \(statistics.changed)) in \(statistics.transactions) transactions, "
                    + "published \(statistics.published), quarantined \(statistics.quarantined), "
                    + "feed dropped \(feed.statistics.droppedEvents)")
        }
    }

    static func report(_ label: String, _ burst: Burst, sent: (instant: ContinuousClock.Instant, events: Int)) {
        let sorted = burst.latencies.sorted()
        guard let last = burst.lastPublished, let first = burst.firstReceived, !sorted.isEmpty else { return }
        let fromSent = burst.published.map { $0 - sent.instant }.sorted()
        print(
            "\(label): \(sent.events) AM messages, frame sent → last published \(ms(last - sent.instant)) "
                + "(sent → first taken off the feed \(ms(first - sent.instant)))\n"
                + "  per message, taken off the feed → published: \(percentiles(sorted))\n"
                + "  per message, frame sent → published:         \(percentiles(fromSent))")
    }

    static func percentiles(_ sorted: [Duration]) -> String {
        let p50 = sorted[sorted.count / 2], p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
        return "p50 \(ms(p50)), p99 \(ms(p99)), max \(ms(sorted[sorted.count - 1]))"
    }

    static func ms(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        return String(format: "%.1f ms", seconds * 1_000)
    }

    struct TimedOut: Error, CustomStringConvertible {
        var what: String
        var description: String { "timed out waiting until \(what)" }
    }

    /// Polls `condition` every 5 ms for up to 120 s.
    static func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
