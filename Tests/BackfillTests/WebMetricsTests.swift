import BackfillCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

@testable import WebUI

/// `/metrics` on swift-metrics and a registry of each web app's own.
@Suite("gui metrics registry")
struct WebMetricsTests {
    private static func scrape(_ client: some TestClientProtocol) async throws -> (String, [String: Double]) {
        let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
        return (text, WebAppIngestionMetricsTests.samples(text))
    }

    @Test func aTaskThatLeavesAStateCountsZeroThereAtTheNextScrape() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let store = try SQLiteBarStore(path: directory.appendingPathComponent("metrics.sqlite").path)
        let key = "us_stocks_sip/minute_aggs_v1/2025/01/2025-01-06.csv.gz"
        try await store.saveTask(StoredTask(kind: "flat-file", key: key, state: .pending, updatedAtMs: 1))
        let app = Application(router: WebApp(store: store).makeRouter())
        try await app.test(.router) { client in
            var (text, values) = try await Self.scrape(client)
            #expect(values["backfill_tasks{kind=\"flat-file\",state=\"pending\"}"] == 1, "\(text)")
            #expect(values["backfill_task_queue_depth"] == 1)
            #expect(text.contains("# HELP backfill_tasks Backfill tasks in the warehouse, by kind and state."))
            try await store.saveTask(
                StoredTask(kind: "flat-file", key: key, state: .done, attempts: 1, rows: 42, updatedAtMs: 2))
            (text, values) = try await Self.scrape(client)
            #expect(values["backfill_tasks{kind=\"flat-file\",state=\"pending\"}"] == 0, "not the old 1: \(text)")
            #expect(values["backfill_tasks{kind=\"flat-file\",state=\"done\"}"] == 1)
            #expect(values["backfill_task_rows{kind=\"flat-file\",state=\"done\"}"] == 42)
            #expect(values["backfill_task_queue_depth"] == 0)
            // One HELP and one TYPE line a family, however many scrapes set it.
            #expect(text.components(separatedBy: "# TYPE backfill_tasks gauge").count == 2)
        }
    }

    @Test func twoWebAppsInOneProcessKeepTheirOwnCounts() async throws {
        let store = try await GUITestData.store()
        let first = Application(router: WebApp(store: store).makeRouter())
        let second = Application(router: WebApp(store: store).makeRouter())
        try await first.test(.router) { client in
            for _ in 0..<2 { try await client.execute(uri: "/api/tickers?q=A", method: .get) { _ in } }
            let (_, values) = try await Self.scrape(client)
            #expect(values["backfill_gui_requests_total{route=\"/api/tickers\",status=\"2xx\"}"] == 2)
        }
        try await second.test(.router) { client in
            try await client.execute(uri: "/api/tickers?q=A", method: .get) { _ in }
            let (text, values) = try await Self.scrape(client)
            #expect(values["backfill_gui_requests_total{route=\"/api/tickers\",status=\"2xx\"}"] == 1, "\(text)")
        }
    }

    @Test func aTimerRecordsTheDurationInSecondsIntoItsBucket() {
        let metrics = WebMetrics()
        metrics.record(route: "/api/bars", status: 200, elapsed: .milliseconds(30))
        metrics.record(route: "/api/bars", status: 200, elapsed: .milliseconds(3))
        let values = WebAppIngestionMetricsTests.samples(metrics.exposition())
        let bucket = { (le: String) in
            values["backfill_gui_request_duration_seconds_bucket{route=\"/api/bars\",le=\"\(le)\"}"]
        }
        #expect(bucket("0.0025") == 0)
        #expect(bucket("0.005") == 1)
        #expect(bucket("0.025") == 1)
        #expect(bucket("0.05") == 2)
        let sum = values["backfill_gui_request_duration_seconds_sum{route=\"/api/bars\"}"] ?? 0
        #expect(abs(sum - 0.033) < 1e-9)
    }
}
