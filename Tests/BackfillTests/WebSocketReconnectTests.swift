import BackfillCore
import Polygon
import PolygonSandbox
import Testing

/// Drops, stalls and dead servers injected by the sandbox: the client reconnects with backoff,
/// resubscribes everything, and reports exactly the minutes it missed.
@Suite("WebSocket reconnects and gaps", .serialized)
struct WebSocketReconnectTests {
    static let aapl = FeedTopic(.minuteBars, "AAPL"), msft = FeedTopic(.minuteBars, "MSFT")

    /// Splits a history at its first gap report: bars before, the gap, bars after.
    static func split(_ history: [FeedEvent]) throws -> ([FeedAggregate], FeedGap, [FeedAggregate]) {
        let index = try #require(history.firstIndex { $0.gap != nil })
        let gap = try #require(history[index].gap)
        return (history[..<index].compactMap(\.minuteBar), gap, history[index...].compactMap(\.minuteBar))
    }

    /// The bars on both sides and the gap's missed minutes tile the whole span: nothing missed is
    /// unreported, nothing reported was received.
    static func expectExactGap(_ before: [FeedAggregate], _ gap: FeedGap, _ after: [FeedAggregate]) throws {
        let first = try #require(before.first?.startMs), last = try #require(after.last?.startMs)
        #expect(gap.lastBeforeMs == before.last?.startMs)
        #expect(gap.firstAfterMs == after.first?.startMs)
        let received = Set((before + after).map(\.startMs)), missed = Set(gap.missedMinuteStarts)
        #expect(received.isDisjoint(with: missed))
        #expect(received.union(missed) == Set(stride(from: first, through: last, by: 60_000)))
        #expect(missed.count == gap.missedMinutes)
    }

    @Test func dropReconnectsResubscribesAndReportsExactlyTheMissedMinutes() async throws {
        // The sandbox replays 10:00–20:00 in 60 s from its start: a test paused that long by a loaded
        // machine (all suites start together) finds the session over and waits in vain. Such a
        // timeout gets one fresh attempt; any other failure, or a second timeout, fails the test.
        func attempt() async throws -> [FeedEvent] {
            let faults = FaultInjector()
            faults.script(.webSocketDrop(afterMessages: 3), pathPrefix: SandboxFeed.faultPath)
            return try await WebSocketTestSupport.withFeed(
                WebSocketTestSupport.sandbox(faults: faults), topics: [Self.aapl, Self.msft],
                configure: {
                    $0.reconnect = RetryPolicy(maxAttempts: 5, baseDelay: 0.5, maxDelay: 0.5)
                    $0.jitterSeed = 6
                }
            ) { _, reader in
                _ = try await reader.first(\.gap)
                _ = try await reader.collect(4, \.minuteBar)
                return reader.history
            }
        }
        let history: [FeedEvent]
        do {
            history = try await attempt()
        } catch is WebSocketTestSupport.TimedOut {
            history = try await attempt()
        }
        #expect(history.compactMap(\.streamingConnection) == [1, 2])
        var jitter = SplitMix64(seed: 6)
        let delay = 0.5 * jitter.nextUnit()
        #expect(history.contains { if case .connection(.disconnected(_, delay)) = $0 { true } else { false } })
        let acks = history.compactMap(\.status).filter { $0.status == .success }.map(\.message)
        #expect(
            acks == Array(repeating: ["subscribed to: AM.AAPL", "subscribed to: AM.MSFT"], count: 2).flatMap { $0 })
        let (before, gap, after) = try Self.split(history)
        #expect(
            before.count == 6,
            "three minute frames of two tickers before the drop: \(history.map { "\($0)".prefix(90) })")
        try Self.expectExactGap(before, gap, after)
        #expect(gap.missedMinutes >= 2, "a \(delay) s backoff at 600× skips \(delay * 10) minutes")
        #expect(gap.topics == [Self.aapl, Self.msft] && gap.disconnections == 1)
        #expect(Set(after.map(\.symbol)) == ["AAPL", "MSFT"], "both tickers resubscribed")
    }

    /// The server goes silent without closing: only the heartbeat can tell, long before the
    /// sandbox's 60 s stall would end (a ping every 0.3 s notices within about 0.6 s when idle; the
    /// bound leaves a loaded machine 30 s).
    @Test func aSilentServerIsCaughtByTheHeartbeat() async throws {
        let faults = FaultInjector()
        faults.script(.webSocketStall(afterMessages: 2, seconds: 60), pathPrefix: SandboxFeed.faultPath)
        let (history, silence) = try await WebSocketTestSupport.withFeed(
            WebSocketTestSupport.sandbox(faults: faults), topics: [Self.aapl],
            configure: { $0.pingInterval = .milliseconds(300) }
        ) { _, reader in
            _ = try await reader.collect(2, \.minuteBar)
            let lastBar = ContinuousClock.now
            _ = try await reader.first(\.gap)
            let silence = ContinuousClock.now - lastBar
            _ = try await reader.collect(2, \.minuteBar)
            return (reader.history, silence)
        }
        // Long before the 60 s stall ends: only the heartbeat can have noticed.
        #expect(silence < .seconds(30), "back after \(silence) of silence")
        #expect(history.compactMap(\.streamingConnection).starts(with: [1, 2]))
        let (before, gap, after) = try Self.split(history)
        #expect(before.count >= 2)
        try Self.expectExactGap(before, gap, after)
        #expect(gap.missedMinutes >= 1)
    }

    /// `ws-drop-seconds`: every connection is cut after 0.3 s; the feed keeps coming back and every
    /// gap is exact.
    @Test func periodicDropsAreEachBridged() async throws {
        let rule = FaultInjector.Rule(
            pathPrefix: SandboxFeed.faultPath, fault: .webSocketDropAfter(seconds: 0.3), probability: 1)
        let history = try await WebSocketTestSupport.withFeed(
            WebSocketTestSupport.sandbox(faults: FaultInjector(rules: [rule])), topics: [Self.aapl]
        ) { _, reader in
            _ = try await reader.first { ($0.streamingConnection ?? 0) >= 4 ? true : nil }
            _ = try await reader.collect(1, \.minuteBar)
            return reader.history
        }
        // A connection cut before it saw a new bar folds into the next gap (disconnections > 1); a
        // gap never counts more disconnections than there were reconnections before the last bar,
        // however many a loaded machine needed.
        let gaps = history.compactMap(\.gap)
        let lastBar = try #require(history.lastIndex { $0.minuteBar != nil })
        let connection = try #require(history[..<lastBar].compactMap(\.streamingConnection).last)
        let disconnections = gaps.map(\.disconnections).reduce(0, +)
        #expect(!gaps.isEmpty && disconnections >= gaps.count && disconnections <= connection - 1, "\(gaps)")
        let bars = history.compactMap(\.minuteBar).map(\.startMs)
        #expect(bars == bars.sorted() && Set(bars).count == bars.count)
        for gap in gaps {
            #expect(bars.contains(gap.lastBeforeMs) && bars.contains(gap.firstAfterMs))
            #expect(!bars.contains { $0 > gap.lastBeforeMs && $0 < gap.firstAfterMs })
        }
    }

    /// A server that upgrades and then never greets: the handshake timeout gives up on it and the
    /// next connection streams.
    @Test func aServerThatNeverGreetsIsLeftAfterTheHandshakeTimeout() async throws {
        let faults = FaultInjector()
        faults.script(.webSocketStall(afterMessages: 0, seconds: 10), pathPrefix: SandboxFeed.faultPath)
        let (history, statistics) = try await WebSocketTestSupport.withFeed(
            WebSocketTestSupport.sandbox(faults: faults), topics: [Self.aapl],
            // 2 s: well inside the 10 s stall, and long enough that the healthy second connection is
            // not also given up on while a loaded machine pauses the test.
            configure: { $0.handshakeTimeout = .seconds(2) }
        ) { client, reader in
            _ = try await reader.first(\.minuteBar)
            return (reader.history, client.statistics)
        }
        #expect(statistics.disconnections == 1 && statistics.connections == 1)
        let reason = history.compactMap { if case .connection(.disconnected(let r, _)) = $0 { r } else { nil } }
        #expect(reason.count == 1 && reason[0].contains("handshake timeout"), "\(reason)")
        #expect(history.first?.status == nil, "the first connection said nothing: \(history.prefix(2))")
    }

    @Test func aServerThatIsNotThereEndsTheFeedAfterTheAttempts() async throws {
        let configuration = FeedClient.Configuration(
            url: "ws://127.0.0.1:1/stocks", apiKey: "some-secret-key", topics: [Self.aapl],
            reconnect: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.01))
        let client = FeedClient(configuration: configuration, logger: TestSupport.quietLogger)
        let error = await #expect(throws: PolygonError.self) { try await client.run() }
        #expect(error?.code == .transport && error?.message.contains("after 3 attempt(s)") == true)
        #expect(error?.description.contains("some-secret-key") == false)
        #expect(client.statistics.disconnections == 3 && client.statistics.connections == 0)
        var events: [FeedEvent] = []
        for await event in client.events { events.append(event) }
        #expect(events.count == 2, "two 'disconnected, retrying' notices, then the stream ends: \(events)")
    }

    @Test func cancellingRunEndsTheFeedQuietly() async throws {
        try await WebSocketTestSupport.sandbox().withRunning { baseURL in
            let client = FeedClient(
                configuration: WebSocketTestSupport.configuration(baseURL: baseURL, topics: [Self.aapl]),
                logger: TestSupport.quietLogger)
            let reader = EventReader(client.events)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                _ = try await reader.first(\.minuteBar)
                group.cancelAll()
                try await group.waitForAll()
            }
            while await reader.next() != nil {}  // run() finished the stream: this ends
        }
    }
}
