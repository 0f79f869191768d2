import BackfillCore
import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import Storage
import MessageBus
import Testing
import WebUI

/// The monitor's backfill control: the real `scraper` as a child process of the web app.
@Suite("gui backfill control", .serialized)
struct WebAppBackfillTests {
    static func app(_ path: String, environment: [String: String] = [:]) throws -> some ApplicationProtocol {
        let store = try SQLiteBarStore(path: path)
        let launcher = BackfillLauncher(
            executable: ScraperCLITests.executable, database: path, environment: environment)
        return Application(router: WebApp(store: store, launcher: launcher).makeRouter())
    }

    /// A web app whose launcher relays its children's `--bus log` lines onto the app's in-process bus,
    /// served with the live WebSocket.
    static func relayingApp(_ path: String) throws -> (some ApplicationProtocol, SQLiteBarStore) {
        let store = try SQLiteBarStore(path: path)
        let bus = InProcessBus()
        let launcher = BackfillLauncher(executable: ScraperCLITests.executable, database: path, relay: bus)
        let web = WebApp(store: store, bus: bus, launcher: launcher)
        let app = Application(
            router: web.makeRouter(), server: .http1WebSocketUpgrade(webSocketRouter: web.makeRouter()))
        return (app, store)
    }

    static func post(_ client: some TestClientProtocol, _ uri: String, _ body: String, origin: String? = nil)
        async throws -> (HTTPResponse.Status, [String: Any])
    {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let origin { headers[.origin] = origin }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) {
            response in
            let json = try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))
            return (response.status, json as? [String: Any] ?? [:])
        }
    }

    /// Reads `/api/backfill` until the run ends (or 180 s pass).
    static func finished(_ client: some TestClientProtocol) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline {
            let status = try await WebAppTests.get(client, "/api/backfill").1 as? [String: Any] ?? [:]
            if status["running"] as? Bool == false { return status }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw GUITestFailure(message: "the backfill did not finish within 180 s")
    }

    @Test func aBackfillStartedFromTheMonitorRunsToTheEndAndIsRecorded() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("monitor.sqlite").path
        try await Self.app(path).test(.live) { client in
            let (status, started) = try await Self.post(
                client, "/api/backfill", #"{"tickers":"AMD","years":1,"sandbox":true,"news":false}"#)
            #expect(status == .ok && started["running"] as? Bool == true)
            #expect((started["arguments"] as? [String])?.contains("--skip-news") == true)
            let done = try await Self.finished(client)
            #expect((done["exitCode"] as? NSNumber)?.intValue == 0, "\(done["log"] ?? "")")
            #expect("\(done["log"] ?? "")".contains("AMD"))
            // Progress events become samples: the last one has every chunk done.
            let progress = try #require(done["progress"] as? [[String: Any]])
            let last = try #require(progress.last)
            let (chunksDone, chunksTotal) = (
                (last["chunksDone"] as? NSNumber)?.intValue, (last["chunksTotal"] as? NSNumber)?.intValue
            )
            #expect(
                chunksTotal ?? 0 > 0 && chunksDone == chunksTotal && (last["bars"] as? NSNumber)?.intValue ?? 0 > 200)
            // Latency so far (ms): every request timed, one store write per chunk done.
            let number = { (key: String) in (last[key] as? NSNumber)?.doubleValue ?? -1 }
            #expect(number("requestP50Ms") > 0 && number("requestP99Ms") >= number("requestP50Ms"), "\(last)")
            #expect(number("storeWriteP50Ms") > 0 && number("storeWriteP99Ms") >= number("storeWriteP50Ms"))
            #expect(number("requestsTimed") == number("requests") && number("storeWrites") == Double(chunksDone ?? -1))
            #expect(!"\(done["log"] ?? "")".contains("\"event\":\"progress\""), "progress is charted, not listed")
            // /metrics shows the monitor's run as its last sample says, latency in seconds.
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            let values = WebAppIngestionMetricsTests.samples(metrics)
            #expect(
                values["backfill_monitor_run_running"] == 0 && values["backfill_monitor_run_bars"] == number("bars"))
            for (name, key) in [("request", "request"), ("store_write", "storeWrite")] {
                for (quantile, suffix) in [("0.5", "P50Ms"), ("0.99", "P99Ms")] {
                    let value = values["backfill_monitor_run_\(name)_latency_seconds{quantile=\"\(quantile)\"}"]
                    #expect(value == number(key + suffix) / 1_000, "\(name) \(quantile): \(metrics)")
                }
            }
            let runs = try #require(try await WebAppTests.get(client, "/api/runs").1 as? [[String: Any]])
            #expect(runs.count == 1 && runs.first?["tickers"] as? [String] == ["AMD"])
            let bars = try SQLiteBarStore(path: path)
            #expect(try await bars.inventory().contains { $0.symbol == "AMD" && $0.timeframe == "1d" && $0.bars > 200 })
        }
    }

    /// Phases and flat files from the form reach the scraper: a year of the sandbox's daily day files
    /// (8 securities each, through the child's environment, so the year takes seconds) gives the
    /// daily bars, one flat-file task per session, and the phases left out are not run.
    @Test func phasesAndFlatFilesFromTheMonitorReachTheScraper() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("phases.sqlite").path
        let small = ["BACKFILL_SANDBOX_DAY_FILE_TICKERS": "8"]
        try await Self.app(path, environment: small).test(.live) { client in
            let (status, started) = try await Self.post(
                client, "/api/backfill",
                #"{"tickers":"AMD","years":1,"sandbox":true,"phases":"daily","flatFiles":true}"#)
            #expect(status == .ok, "\(started)")
            let arguments = try #require(started["arguments"] as? [String])
            let phases = arguments.firstIndex(of: "--phases").map { arguments[$0 + 1] }
            #expect(phases == "daily" && arguments.contains("--flatfiles"), "\(arguments)")
            #expect(!arguments.contains("--skip-news"), "--phases says it all")
            let done = try await Self.finished(client)
            #expect((done["exitCode"] as? NSNumber)?.intValue == 0, "\(done["log"] ?? "")")
        }
        let store = try SQLiteBarStore(path: path)
        let files = try await store.taskSummary().filter { $0.kind == "flat-file" && $0.state == .done }
            .reduce(0) { $0 + $1.count }
        let inventory = try await store.inventory()
        let daily = inventory.first { $0.symbol == "AMD" && $0.timeframe == "1d" }?.bars ?? 0
        #expect(files >= 240 && daily == files, "\(files) day files, \(daily) daily bars")
        #expect(!inventory.contains { $0.timeframe == "1m" }, "no minute phase")
        #expect(try await store.news(symbol: "AMD", fromMs: .min, toMs: .max, limit: 10).isEmpty, "no news phase")
    }

    /// The gui starts the work itself: the child announces each stored chunk on its log (`--bus
    /// log`), the launcher publishes it on the gui's in-process bus, and an open chart's socket gets it.
    @Test func chunksABackfillFromTheMonitorStoresReachAnOpenChartOverTheInProcessBus() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("relay.sqlite").path
        let (app, store) = try Self.relayingApp(path)
        try await app.test(.live) { client in
            let frames = try await WebAppLiveTests.collect(
                client, path: "/api/live?symbol=AMD&timeframe=1d", count: 2, type: "stored"
            ) {
                _ = try? await Self.post(
                    client, "/api/backfill", #"{"tickers":"AMD","years":1,"sandbox":true,"news":false}"#)
            }
            let sources = Set(frames.compactMap { $0["source"] as? String })
            #expect(frames.count == 2 && !sources.isEmpty && sources.isSubset(of: ["1d", "1m"]), "\(frames)")
            #expect(
                frames.allSatisfy {
                    ($0["changed"] as? NSNumber)?.intValue ?? 0 > 0 && $0["symbol"] as? String == "AMD"
                })
            let done = try await Self.finished(client)
            #expect((done["exitCode"] as? NSNumber)?.intValue == 0, "\(done["log"] ?? "")")
            #expect((done["arguments"] as? [String])?.suffix(2) == ["--bus", "log"])
            #expect(!"\(done["log"] ?? "")".contains("\"event\":\"bus\""), "relayed, not listed")
        }
    }

    /// `scraper live` started from the monitor: its stored minute bars reach an open chart over the
    /// gui's in-process bus as `bar` frames; Stop ends it.
    @Test func liveStartedFromTheMonitorFeedsAnOpenChartUntilStopped() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("live.sqlite").path
        let (app, store) = try Self.relayingApp(path)
        try await app.test(.live) { client in
            let frames = try await WebAppLiveTests.collect(
                client, path: "/api/live?symbol=AAPL&timeframe=1m", count: 2
            ) {
                _ = try? await Self.post(client, "/api/backfill", #"{"tickers":"AAPL","live":true,"sandbox":true}"#)
            }
            #expect(frames.count == 2 && frames.allSatisfy { $0["symbol"] as? String == "AAPL" }, "\(frames)")
            let running = try await WebAppTests.get(client, "/api/backfill").1 as? [String: Any] ?? [:]
            #expect((running["arguments"] as? [String])?.prefix(3) == ["live", "--tickers", "AAPL"])
            _ = try await Self.post(client, "/api/backfill/stop", "{}")
            let done = try await Self.finished(client)
            let exit = (done["exitCode"] as? NSNumber)?.intValue
            #expect(exit == 0 || exit == 130, "stopped by its Ctrl-C: \(done["log"] ?? "")")
            let stored = try await store.bars(
                symbol: "AAPL", timeframe: .minute, fromMs: .min, toMs: .max, limit: 10_000)
            #expect(stored.count >= 2)
        }
    }

    @Test func stopInterruptsARunningBackfill() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("stop.sqlite").path
        try await Self.app(path).test(.live) { client in
            let (status, _) = try await Self.post(
                client, "/api/backfill", #"{"tickers":"AMD,NVDA,TSLA","years":10,"sandbox":true}"#)
            #expect(status == .ok)
            // Ten years of three tickers run for most of a minute: a second start meets it running
            // even when a loaded machine pauses this test for seconds (seen: 9 s).
            let (again, refused) = try await Self.post(client, "/api/backfill", #"{"tickers":"NVDA","sandbox":true}"#)
            #expect(again == .conflict && "\(refused["error"] ?? "")".contains("already running"), "\(refused)")
            try await Task.sleep(for: .seconds(2))
            let (stopped, _) = try await Self.post(client, "/api/backfill/stop", "{}")
            #expect(stopped == .ok)
            let done = try await Self.finished(client)
            #expect(done["exitCode"] is NSNumber, "\(done)")
            #expect("\(done["log"] ?? "")".lowercased().contains("interrupt"), "\(done["log"] ?? "")")
        }
    }

    @Test func startIsRefusedUnlessItIsValidSameOriginJSON() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("refused.sqlite").path
        try await Self.app(path).test(.router) { client in
            let form = try await client.execute(
                uri: "/api/backfill", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "tickers=AMD")
            ) { $0.status }
            #expect(form == .unsupportedMediaType)
            let (crossSite, _) = try await Self.post(
                client, "/api/backfill", #"{"tickers":"AMD"}"#, origin: "http://evil.example")
            #expect(crossSite == .forbidden)
            for (body, message) in [
                (#"{"tickers":""}"#, "tickers must list 1 to 100 symbols"),
                (#"{"tickers":"A B"}"#, "tickers: ticker 'A B'"),
                (#"{"tickers":"AMD","years":99}"#, "years must be 1…30"),
                ("not json", "the body must be JSON"),
                (#"{"tickers":"AMD","phases":"daily,bonds"}"#, "phases: unknown phase 'bonds'"),
                (#"{"tickers":"AMD","phases":" , "}"#, "phases must name at least one"),
            ] {
                let (status, json) = try await Self.post(client, "/api/backfill", body)
                #expect(status == .badRequest && "\(json["error"] ?? "")".contains(message), "\(body)")
            }
            let idle = try await WebAppTests.get(client, "/api/backfill").1 as? [String: Any]
            #expect(idle?["running"] as? Bool == false && idle?["exitCode"] is NSNull)
        }
    }
}
