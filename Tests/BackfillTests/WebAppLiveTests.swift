import BackfillCore
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWebSocket
import HummingbirdWSTesting
import Ingestion
import MessageBus
import Storage
import Testing

@testable import WebUI

/// The live WebSocket, the token and `/metrics`, on a real loopback server.
@Suite("gui live socket, token and metrics")
struct WebAppLiveTests {
    static let token = "test-token-0123456789abcdef"

    /// A bar of AAPL at 2025-01-06 10:00 New York plus `minute` minutes.
    static func message(minute: Int64, close: Double, symbol: String = "AAPL") -> BusMessage {
        let start = EasternTime.utcMilliseconds(on: TestSupport.date("2025-01-06"), minutesAfterMidnight: 600)
        let bar = Bar(
            windowStartMs: start + minute * 60_000, open: 100 + Double(minute), high: close + 1, low: 99, close: close,
            volume: 1_000)
        return LiveBarMessage(symbol: symbol, bar: bar, indicators: nil, source: .live, revised: false).busMessage
    }

    @Test func aBarPublishedOnTheBusReachesTheSocketResampled() async throws {
        let bus = InProcessBus()
        let web = WebApp(store: try await GUITestData.store(), bus: bus)
        let app = Application(
            router: web.makeRouter(), server: .http1WebSocketUpgrade(webSocketRouter: web.makeRouter()))
        let frames = try await app.test(.live) { client in
            try await Self.collect(client, path: "/api/live?symbol=AAPL&timeframe=5m", count: 3) {
                // After `hello` the subscription exists: two minutes of one 5-minute bucket, another
                // symbol (not forwarded), then a minute of the next bucket.
                await bus.publish(Self.message(minute: 0, close: 101))
                await bus.publish(Self.message(minute: 1, close: 103, symbol: "AMD"))
                await bus.publish(Self.message(minute: 1, close: 104))
                await bus.publish(Self.message(minute: 5, close: 99))
            }
        }
        let start = EasternTime.utcMilliseconds(on: TestSupport.date("2025-01-06"), minutesAfterMidnight: 600)
        try #require(frames.count == 3)
        #expect(Self.int(frames[0], "t") == start && Self.double(frames[0], "c") == 101)
        #expect(Self.int(frames[1], "t") == start && Self.double(frames[1], "o") == 100)
        #expect(Self.double(frames[1], "h") == 105 && Self.double(frames[1], "c") == 104)
        #expect(Self.double(frames[1], "v") == 2_000 && Self.int(frames[1], "minute") == start + 60_000)
        #expect(Self.int(frames[2], "t") == start + 300_000 && Self.double(frames[2], "o") == 105)
    }

    /// End to end in one process: the sandbox's feed emits minute bars, live ingestion stores and
    /// publishes them on the in-process bus, and the gui's socket forwards each as the chart's bucket.
    @Test func aBarTheSandboxEmitsReachesTheSocketAfterItIsStored() async throws {
        let (frames, store) = try await LiveTestSupport.withLive(symbols: ["AAPL"]) { live in
            let web = WebApp(store: live.store, bus: live.bus)
            let app = Application(
                router: web.makeRouter(), server: .http1WebSocketUpgrade(webSocketRouter: web.makeRouter()))
            let frames = try await app.test(.live) { client in
                try await Self.collect(client, path: "/api/live?symbol=AAPL&timeframe=5m", count: 3) {}
            }
            return (
                frames.map { (Self.int($0, "minute") ?? 0, Self.int($0, "t") ?? 0, Self.double($0, "c") ?? .nan) },
                live.store
            )
        }
        try #require(frames.count == 3)
        let stored = try await LiveTestSupport.stored(store, "AAPL")
        for (minute, bucket, close) in frames {
            #expect(bucket <= minute && minute < bucket + 300_000, "the minute lies in its 5-minute bucket")
            // Published after the commit: the minute is stored, and the bucket closes at its close.
            let bar = try #require(stored.first { $0.windowStartMs == minute })
            #expect(close == bar.close)
        }
        let minutes = frames.map(\.0)
        #expect(minutes == minutes.sorted() && Set(minutes).count == minutes.count)
    }

    /// Opens the socket, waits for `hello`, runs `publish`, and returns the next `count` bar frames
    /// (fewer after 60 s, so a lost frame fails the test instead of hanging it; a loaded machine can
    /// take seconds to connect the feed and the socket).
    static func collect(
        _ client: some TestClientProtocol, path: String, count: Int, type: String = "bar",
        publish: @escaping @Sendable () async -> Void
    ) async throws -> [[String: Any]] {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let task = Task {
            try await client.ws(path) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    guard case .text(let text) = message else { continue }
                    continuation.yield(text)
                    if text.contains("\"type\":\"hello\"") { await publish() }
                }
            }
        }
        defer { task.cancel() }
        let texts = await TestSupport.collect(stream, count: count, seconds: 60) { $0.contains("\"type\":\"\(type)\"") }
        return texts.compactMap { text in
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        }
    }

    static func chunk(_ symbol: String, _ timeframe: String, _ from: String, _ to: String, changed: Int) -> BusMessage {
        BusMessage(
            topic: Topic.bars(timeframe: timeframe, symbol: symbol),
            text:
                #"{"symbol":"\#(symbol)","timeframe":"\#(timeframe)","from":"\#(from)","to":"\#(to)","received":5,"changed":\#(changed)}"#
        )
    }

    @Test func aBackfilledChunkReachesOpenChartsOfItsSymbolAndSourceAsAStoredNotice() async throws {
        let bus = InProcessBus()
        let web = WebApp(store: try await GUITestData.store(), bus: bus)
        let app = Application(
            router: web.makeRouter(), server: .http1WebSocketUpgrade(webSocketRouter: web.makeRouter()))
        let (weekly, fiveMinute) = try await app.test(.live) { client in
            let chunks: @Sendable () async -> Void = {
                await bus.publish(Self.chunk("AAPL", "1d", "2025-01-06", "2025-01-10", changed: 0))  // nothing new
                await bus.publish(Self.chunk("AMD", "1d", "2025-01-06", "2025-01-10", changed: 5))  // another symbol
                await bus.publish(Self.chunk("AAPL", "1d", "2025-01-06", "2025-01-10", changed: 5))
                await bus.publish(Self.chunk("AAPL", "1m", "2025-02-03", "2025-02-07", changed: 1_950))
                // A day file's notice: bars received, changes counted per file only.
                await bus.publish(
                    BusMessage(
                        topic: "bars.1m.AAPL",
                        text:
                            #"{"from":"2025-02-10","received":960,"symbol":"AAPL","timeframe":"1m","to":"2025-02-10"}"#)
                )
            }
            return (
                try await Self.collect(
                    client, path: "/api/live?symbol=AAPL&timeframe=1w", count: 3, type: "stored", publish: chunks),
                try await Self.collect(
                    client, path: "/api/live?symbol=AAPL&timeframe=5m", count: 2, type: "stored", publish: chunks)
            )
        }
        try #require(weekly.count == 3 && fiveMinute.count == 2)
        // The daily and minute topics are two streams: their frames arrive in either order.
        let byFrom = { (frames: [[String: Any]]) in
            Dictionary(frames.map { ($0["from"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        }
        let (week, fives) = (byFrom(weekly), byFrom(fiveMinute))
        let day = { (text: String) in Int64(try #require(LocalDate(text)).daysSinceEpoch) * 86_400_000 }
        let daily = try #require(week["2025-01-06"], "\(weekly)")
        #expect(daily["source"] as? String == "1d" && daily["timeframe"] as? String == "1w")
        #expect(Self.int(daily, "changed") == 5)
        #expect(try Self.int(daily, "fromMs") == day("2025-01-05") && Self.int(daily, "toMs") == day("2025-01-12"))
        #expect(
            week["2025-02-03"]?["source"] as? String == "1m" && week["2025-02-03"]?["to"] as? String == "2025-02-07")
        #expect(week["2025-02-10"]?["source"] as? String == "1m")
        // An intraday chart is read from minutes: the daily chunk is not its business.
        #expect(fives["2025-02-03"]?["source"] as? String == "1m" && fives["2025-01-06"] == nil, "\(fiveMinute)")
        let dayFile = try #require(fives["2025-02-10"], "\(fiveMinute)")
        #expect(Self.int(dayFile, "received") == 960 && dayFile["changed"] is NSNull, "\(dayFile)")
    }

    static func int(_ frame: [String: Any], _ key: String) -> Int64? { (frame[key] as? NSNumber)?.int64Value }
    static func double(_ frame: [String: Any], _ key: String) -> Double? { (frame[key] as? NSNumber)?.doubleValue }

    @Test func everyRequestAndTheSocketNeedTheTokenWhenOneIsSet() async throws {
        let web = WebApp(
            store: try await GUITestData.store(), bus: InProcessBus(), configuration: .init(token: Self.token))
        let app = Application(
            router: web.makeRouter(), server: .http1WebSocketUpgrade(webSocketRouter: web.makeRouter()))
        try await app.test(.live) { client in
            for uri in ["/", "/api/bars?symbol=AAPL", "/api/tickers?q=A", "/metrics", "/static/app.js"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .unauthorized, "\(uri)")
                    #expect(!String(buffer: response.body).contains(Self.token))
                }
            }
            try await client.execute(
                uri: "/api/bars?symbol=AAPL", method: .get, headers: [.authorization: "Bearer wrong"]
            ) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(
                uri: "/api/bars?symbol=AAPL", method: .get, headers: [.authorization: "Bearer \(Self.token)"]
            ) { #expect($0.status == .ok) }
            let cookie = try await client.execute(uri: "/?token=\(Self.token)", method: .get) { response in
                #expect(response.status == .ok)
                return response.headers[.setCookie] ?? ""
            }
            #expect(cookie.contains("gui_token=\(Self.token)") && cookie.contains("HttpOnly"))
            try await client.execute(
                uri: "/api/tickers?q=A", method: .get, headers: [.cookie: "gui_token=\(Self.token)"]
            ) {
                #expect($0.status == .ok)
            }
            await #expect(throws: (any Error).self) {
                try await client.ws("/api/live?symbol=AAPL") { _, _, _ in }
            }
            let close = try await client.ws("/api/live?symbol=AAPL&token=\(Self.token)") { inbound, outbound, _ in
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    if case .text(let text) = message, text.contains("hello") { break }
                }
            }
            _ = close
        }
    }

    @Test func metricsAreInPrometheusTextFormat() async throws {
        let app = Application(router: WebApp(store: try await GUITestData.store()).makeRouter())
        try await app.test(.router) { client in
            for _ in 0..<3 { try await client.execute(uri: "/api/bars?symbol=AAPL", method: .get) { _ in } }
            try await client.execute(uri: "/api/bars?symbol=A%20B", method: .get) { _ in }
            try await client.execute(uri: "/no/such/\(UUID().uuidString)", method: .get) { _ in }
            let text = try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                return String(buffer: response.body)
            }
            let values = WebAppIngestionMetricsTests.samples(text)
            #expect(values["backfill_gui_requests_total{route=\"/api/bars\",status=\"2xx\"}"] == 3)
            #expect(values["backfill_gui_requests_total{route=\"/api/bars\",status=\"4xx\"}"] == 1)
            #expect(
                values["backfill_gui_requests_total{route=\"other\",status=\"4xx\"}"] == 1, "no raw paths as labels")
            #expect(!text.contains("/no/such/"))
            #expect(values["backfill_gui_request_duration_seconds_count{route=\"/api/bars\"}"] == 4)
            #expect(values["backfill_gui_websocket_clients"] == 0 && values["backfill_quarantined_rows"] == 0)
            #expect(values["backfill_gui_store_read_seconds_count"] == 3, "three reads; the bad symbol read nothing")
            #expect(values["backfill_last_run_bars_received"] != nil && values["backfill_last_run_requests"] != nil)
            #expect(text.contains("# TYPE backfill_gui_request_duration_seconds histogram"))
            #expect(text.contains("# TYPE backfill_gui_requests_total counter"))
            #expect(text.contains("# HELP backfill_last_run_requests HTTP requests made by the latest scraper run."))
            // The duration buckets are cumulative and end at the count.
            let buckets = values.filter {
                $0.key.hasPrefix("backfill_gui_request_duration_seconds_bucket{route=\"/api/bars\"")
            }
            #expect(buckets.count == WebMetrics.bucketBounds.count + 1)
            #expect(buckets["backfill_gui_request_duration_seconds_bucket{route=\"/api/bars\",le=\"+Inf\"}"] == 4)
            let sample = try Regex(
                #"^[a-z_]+(\{([a-z]+="[^"\\]*",?)*\})? -?[0-9.e+-]+$|^[a-z_]+\{[^}]*le="\+Inf"\} [0-9]+$"#)
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                #expect(line.wholeMatch(of: sample) != nil, "\(line)")
            }
        }
    }
}
