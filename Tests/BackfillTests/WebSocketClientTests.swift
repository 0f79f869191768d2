import BackfillCore
import Polygon
import PolygonSandbox
import Testing

/// The feed client against the sandbox's `/stocks` over real WebSockets on loopback, replaying
/// 2025-01-06 from 10:00 at 600× (a minute every 0.1 s).
@Suite("WebSocket client against the sandbox", .serialized)
struct WebSocketClientTests {
    static let market = SyntheticMarket(seed: 42)
    static let aapl = FeedTopic(.minuteBars, "AAPL"), msft = FeedTopic(.minuteBars, "MSFT")

    /// The market's own minute bar, as the feed carries it (no trade count).
    static func expected(_ symbol: String, _ startMs: Int64) -> Bar? {
        guard var bar = market.minuteBar(symbol: symbol, minuteStartMs: startMs) else { return nil }
        bar.transactions = nil
        return bar
    }

    @Test func feedURLsFollowTheRESTBaseURL() {
        #expect(FeedClient.Configuration.url(forBaseURL: "http://127.0.0.1:8089") == "ws://127.0.0.1:8089/stocks")
        #expect(
            FeedClient.Configuration.url(forBaseURL: "https://socket.polygon.io/")
                == FeedClient.Configuration.realTimeURL)
        #expect(
            FeedClient.Configuration.url(forBaseURL: "wss://delayed.polygon.io") == FeedClient.Configuration.delayedURL)
        #expect(FeedClient.Configuration(apiKey: "k").url == "wss://socket.polygon.io/stocks")
    }

    @Test func handshakeThenMinuteBarsEqualToTheSyntheticMarket() async throws {
        let (bars, history) = try await WebSocketTestSupport.withFeed(
            WebSocketTestSupport.sandbox(), topics: [Self.aapl, Self.msft]
        ) { _, reader in
            (try await reader.collect(10, \.minuteBar), reader.history)
        }
        let statuses = history.compactMap(\.status).map(\.description)
        #expect(
            Array(statuses.prefix(4)) == [
                "connected: Connected Successfully", "auth_success: authenticated",
                "success: subscribed to: AM.AAPL", "success: subscribed to: AM.MSFT",
            ])
        #expect(history.contains(.connection(.streaming(connection: 1))))
        #expect(Set(bars.map(\.symbol)) == ["AAPL", "MSFT"])
        for bar in bars {
            #expect(bar.bar == Self.expected(bar.symbol, bar.startMs), "\(bar.symbol) at \(bar.startMs)")
            #expect(bar.endMs == bar.startMs + 60_000 && bar.startMs >= WebSocketTestSupport.replayStartMs)
            #expect(
                bar.officialOpen
                    == Self.market.minuteBars(symbol: bar.symbol, date: LocalDate(year: 2025, month: 1, day: 6)!)
                    .first { $0.windowStartMs >= WebSocketTestSupport.replayStartMs - 30 * 60_000 }?.open)
        }
        let starts = bars.filter { $0.symbol == "AAPL" }.map(\.startMs)
        #expect(starts == starts.sorted() && Set(starts).count == starts.count, "each minute once, in order")
    }

    @Test func wildcardStreamsTheWholeUniverseEachMinute() async throws {
        let bars = try await WebSocketTestSupport.withFeed(
            WebSocketTestSupport.sandbox(), topics: [.all(.minuteBars)]
        ) { _, reader in
            try await reader.collect(3 * SandboxFeed.Configuration.defaultUniverse.count, \.minuteBar)
        }
        #expect(Set(bars.map(\.symbol)) == Set(SandboxFeed.Configuration.defaultUniverse))
        for bar in bars { #expect(bar.bar == Self.expected(bar.symbol, bar.startMs)) }
    }

    @Test func wrongKeyIsRefusedOnceWithAClearMessage() async throws {
        let (error, statistics) = try await WebSocketTestSupport.sandbox().withRunning { baseURL in
            let client = FeedClient(
                configuration: WebSocketTestSupport.configuration(
                    baseURL: baseURL, topics: [Self.aapl], apiKey: "wrong-key-123"),
                logger: TestSupport.quietLogger)
            let error = await #expect(throws: PolygonError.self) { try await client.run() }
            return (error, client.statistics)
        }
        #expect(statistics.disconnections == 0 && statistics.connections == 0, "refused once, never retried")
        let failure = try #require(error)
        #expect(failure.code == .unauthorized && !failure.isRetryable)
        #expect(failure.message.contains("authentication failed") && failure.message.contains("POLYGON_API_KEY"))
        #expect(!failure.description.contains("wrong-key-123"))
        #expect(failure.url?.hasSuffix("/stocks") == true)
    }

    @Test func secondBarsAndTradesAddUpToTheMinute() async throws {
        let topics = [FeedTopic(.secondBars, "AAPL"), FeedTopic(.trades, "AAPL"), Self.aapl]
        let history = try await WebSocketTestSupport.withFeed(WebSocketTestSupport.sandbox(), topics: topics) {
            _, reader in
            _ = try await reader.collect(3, \.minuteBar)
            return reader.history
        }
        // The first minute may have begun before the connection: its seconds are incomplete.
        let minutes = history.compactMap(\.minuteBar).dropFirst()
        #expect(minutes.count == 2)
        for minute in minutes {
            let seconds = history.compactMap(\.secondBar).filter { $0.startMs / 60_000 == minute.startMs / 60_000 }
            let trades = history.compactMap(\.trade).filter { $0.timestampMs / 60_000 == minute.startMs / 60_000 }
            #expect((3...6).contains(seconds.count))
            #expect(seconds.first?.open == minute.open && seconds.last?.close == minute.close)
            #expect(seconds.map(\.high).max() == minute.high && seconds.map(\.low).min() == minute.low)
            #expect(seconds.map(\.volume).reduce(0, +) == minute.volume)
            #expect(trades.map(\.size).reduce(0, +) == minute.volume)
            #expect(seconds.last?.accumulatedVolume == minute.accumulatedVolume)
            for trade in trades { #expect(trade.price >= minute.low && trade.price <= minute.high) }
        }
    }

    /// A consumer that does not read loses the oldest events, counted, and memory stays bounded.
    @Test func aSlowConsumerLosesTheOldestEvents() async throws {
        let (held, dropped) = try await WebSocketTestSupport.withFeed(
            WebSocketTestSupport.sandbox(), topics: [.all(.minuteBars)], configure: { $0.bufferSize = 4 }
        ) { client, reader in
            while client.statistics.droppedEvents < 20 { try await Task.sleep(for: .milliseconds(20)) }
            return (try await reader.collect(4) { $0.minuteBar }, client.statistics.droppedEvents)
        }
        #expect(dropped >= 20)
        let first = WebSocketTestSupport.replayStartMs
        #expect(held.allSatisfy { $0.startMs > first }, "the greeting and the first minute's bars went")
    }

    @Test func unsubscribeStopsASymbol() async throws {
        let (after, acked) = try await WebSocketTestSupport.withFeed(
            WebSocketTestSupport.sandbox(), topics: [Self.aapl, Self.msft]
        ) { client, reader in
            let first = try await reader.collect(4, \.minuteBar)
            #expect(Set(first.map(\.symbol)) == ["AAPL", "MSFT"])
            client.unsubscribe([Self.msft])
            let ack = try await reader.first { $0.status?.message.hasPrefix("unsubscribed") == true ? $0.status : nil }
            return (try await reader.collect(4, \.minuteBar), ack)
        }
        #expect(acked.message == "unsubscribed to: AM.MSFT")
        #expect(after.allSatisfy { $0.symbol == "AAPL" })
    }

    @Test func subscribingLaterAddsASymbol() async throws {
        let bars = try await WebSocketTestSupport.withFeed(WebSocketTestSupport.sandbox(), topics: [Self.aapl]) {
            client, reader in
            _ = try await reader.collect(1, \.minuteBar)
            client.subscribe([Self.msft])
            return try await reader.collect(1) { $0.minuteBar?.symbol == "MSFT" ? $0.minuteBar : nil }
        }
        #expect(bars.first?.bar == Self.expected("MSFT", bars.first?.startMs ?? 0))
    }
}
