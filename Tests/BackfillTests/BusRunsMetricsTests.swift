import BackfillCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Ingestion
import MessageBus
import RedisBus
import Storage
import Testing

@testable import WebUI

/// `/metrics` shows backfills running in other processes from their progress on the bus.
@Suite("gui metrics of backfills on the bus")
struct BusRunsMetricsTests {
    static func metrics(_ web: WebApp) async throws -> [String: Double] {
        let app = Application(router: web.makeRouter())
        let text = try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
        }
        return WebAppIngestionMetricsTests.samples(text)
    }

    static func progressMessage(
        worker: String?, run: String? = nil, done: Int, requests: Int, latency: [Double] = []
    ) throws -> BusMessage {
        var progress = BackfillProgress()
        progress.workerID = worker
        progress.runID = run
        progress.itemsTotal = 10
        progress.itemsDone = done
        progress.requests = requests
        for seconds in latency { progress.requestLatency.record(seconds: seconds) }
        return BusMessage(topic: Topic.progress, payload: Array(try JSONEncoder().encode(progress)))
    }

    @Test func eachWorkersLatestProgressIsShownAndSilentRunsAreForgotten() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("bus.sqlite").path
        let bus = InProcessBus()
        let web = WebApp(store: try SQLiteBarStore(path: path), bus: bus)
        let follower = Task { await web.followBusProgress() }
        defer { follower.cancel() }
        while bus.subscriberCount == 0 { try await Task.sleep(for: .milliseconds(5)) }

        await bus.publish(try Self.progressMessage(worker: "w1", done: 2, requests: 5))
        await bus.publish(try Self.progressMessage(worker: "w1", done: 4, requests: 9, latency: [0.02, 0.04]))
        await bus.publish(try Self.progressMessage(worker: "w\"2", done: 1, requests: 1))
        // A plain run (no worker id) is known by its process's run id.
        await bus.publish(
            try Self.progressMessage(worker: nil, run: "pid 7 since 2026-11-29T21:00:00Z", done: 3, requests: 3))
        await bus.publish(BusMessage(topic: Topic.progress, text: "{not progress"))
        let deadline = ContinuousClock.now + .seconds(5)
        while web.busRuns.current().count < 3 || web.busRuns.unreadableCount < 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }

        var values = try await Self.metrics(web)
        #expect(values["backfill_bus_runs"] == 3)
        #expect(values["backfill_bus_run_items_done{run=\"pid 7 since 2026-11-29T21:00:00Z\"}"] == 3)
        #expect(values["backfill_bus_run_items_done{run=\"w1\"}"] == 4, "the latest of w1's two")
        #expect(values["backfill_bus_run_requests{run=\"w1\"}"] == 9)
        #expect(values["backfill_bus_run_items_total{run=\"w1\"}"] == 10)
        #expect(values["backfill_bus_run_requests{run=\"w\\\"2\"}"] == 1, "the label is escaped")
        let p50 = try #require(values["backfill_bus_run_request_latency_seconds{run=\"w1\",quantile=\"0.5\"}"])
        #expect(p50 >= 0.02 && p50 <= 0.04)
        #expect(values["backfill_bus_progress_unreadable_total"] == 1)

        // An hour later with no word from either, both are dropped and their series set to zero.
        let later = Date().addingTimeInterval(BusRuns.forgetAfter + 1)
        #expect(web.busRuns.current(at: later).isEmpty)
        values = try await Self.metrics(web)
        #expect(values["backfill_bus_runs"] == 0)
        #expect(values["backfill_bus_run_requests{run=\"w1\"}"] == 0)
    }

    /// A `scraper --bus redis` backfill in another process, watched by a web app on the same Redis:
    /// its last progress message is what `/metrics` shows.
    @Test func aBackfillInAnotherProcessShowsInMetricsOverRedis() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let server = try await RedisServer.started()
        defer { server.stop() }
        let environment = ["REDIS_HOST": "127.0.0.1", "REDIS_PORT": String(server.port)]
        try await withRunningBus(server.configuration) { bus in
            let store = try SQLiteBarStore(path: directory.appendingPathComponent("elsewhere.sqlite").path)
            let web = WebApp(store: store, bus: bus)
            let follower = Task { await web.followBusProgress() }
            defer { follower.cancel() }
            let collector = MessageCollector()
            let stream = try await bus.subscription(topicPrefix: Topic.progress, bufferSize: 10_000)
            let collecting = Task { await collector.collect(stream) }
            defer { collecting.cancel() }

            let outcome = try await ScraperCLITests.run(
                [
                    "--sandbox", "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-17", "--skip-news",
                    "--db", "elsewhere.sqlite", "--bus", "redis",
                ], in: directory, environment: environment)
            #expect(outcome.status == 0, "\(outcome.all)")
            _ = await collector.waitFor(count: 1, timeout: .seconds(10))
            try await Task.sleep(for: .milliseconds(500))  // the last messages still on their way
            let last = try #require(collector.messages.last, "the run published its progress")
            let progress = try JSONDecoder().decode(BackfillProgress.self, from: Data(last.payload))
            #expect(progress.requests > 0 && progress.barsReceived > 0)

            // Stamped with the publishing process, which is the scraper's, not this one's.
            let run = try #require(progress.runID, "\(progress)")
            #expect(run.hasPrefix("pid ") && run != BackfillProgress.processRunID, "\(run)")
            let values = try await Self.metrics(web)
            #expect(values["backfill_bus_runs"] == 1)
            #expect(values["backfill_bus_run_requests{run=\"\(run)\"}"] == Double(progress.requests), "\(values)")
            #expect(values["backfill_bus_run_bars_received{run=\"\(run)\"}"] == Double(progress.barsReceived))
            #expect(values["backfill_bus_run_items_done{run=\"\(run)\"}"] == Double(progress.itemsDone))
            let p50 = values["backfill_bus_run_request_latency_seconds{run=\"\(run)\",quantile=\"0.5\"}"]
            #expect(p50 == progress.requestLatency.p50 && (p50 ?? 0) > 0)
        }
    }
}
