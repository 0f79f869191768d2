import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import PolygonSandbox
import Storage
import Testing
import WebUI

/// `/metrics` shows ingestion from what the warehouse records: a flat-file run's tasks, and a REST
/// run against a sandbox answering 429s now and then (its rows, requests, retries and 429s).
@Suite("gui ingestion metrics")
struct WebAppIngestionMetricsTests {
    @Test func metricsShowRowsRequestsRateLimitsAndTaskStatesOfRecordedRuns() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let path = folder.appendingPathComponent("metrics.sqlite").path
        let files = try await ScraperCLITests.run(
            [
                "--sandbox", "--flatfiles", "--tickers", "AMD", "--from", "2024-01-02", "--to", "2024-01-05",
                "--db", path,
            ], in: folder)
        #expect(files.status == 0, "\(files.all)")

        let faults = FaultInjector(
            rules: [.init(pathPrefix: "/v2/aggs", fault: .status(429, retryAfterSeconds: nil), probability: 0.3)],
            seed: 11)
        try await TestSupport.sandbox(faults: faults).withRunning { baseURL in
            let rest = try await ScraperCLITests.run(
                [
                    "--base-url", baseURL, "--rate-limit", "100000", "--tickers", "NVDA,TSLA", "--from", "2024-01-02",
                    "--to", "2024-06-28", "--phases", "daily,minute", "--concurrency", "1", "--db", path,
                ], in: folder, environment: ["POLYGON_API_KEY": SandboxConfiguration.defaultAPIKey])
            #expect(rest.status == 0, "\(rest.all)")
        }
        let injected = faults.injectedCounts.values.reduce(0, +)
        #expect(injected > 0, "the sandbox answered some requests with 429")

        let queue = try DatabaseQueue(path: path)
        let stored = try await queue.read { try Int.fetchOne($0, sql: TestSupport.storedMinutesSQL) } ?? 0
        let doneTasks = try await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM tasks") } ?? 0
        let runs = try await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runs") } ?? 0
        let reports = try await queue.read { try String.fetchAll($0, sql: "SELECT report FROM runs") }
        try queue.close()

        let app = Application(router: WebApp(store: try SQLiteBarStore(path: path)).makeRouter())
        let text = try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
        }
        let values = Self.samples(text)
        #expect(values["backfill_ingest_runs_total"] == Double(runs) && runs >= 2)
        #expect(values["backfill_ingest_rate_limited_total"] == Double(injected), "\(text)")
        #expect((values["backfill_ingest_retries_total"] ?? 0) >= Double(injected), "each 429 was retried")
        #expect((values["backfill_ingest_requests_total"] ?? 0) > Double(injected))
        #expect((values["backfill_ingest_rows_total"] ?? 0) >= Double(stored) && stored > 0, "\(stored) stored")
        #expect(values["backfill_tasks{kind=\"flat-file\",state=\"done\"}"] == Double(doneTasks) && doneTasks > 0)
        #expect(values["backfill_task_queue_depth"] == 0)

        // Latency: the histograms the runs saved, merged; the flat-file and REST runs timed both.
        for (name, key, countName) in [
            ("request", "requestLatency", "requests_timed"), ("store_write", "storeWriteLatency", "store_writes"),
        ] {
            let saved = try reports.map { try Self.histogramTotals(report: $0, key: key) }
            #expect(saved.count == runs && saved.filter { $0.count > 0 }.count >= 2, "\(name): \(saved)")
            #expect(values["backfill_ingest_\(countName)_total"] == Double(saved.map(\.count).reduce(0, +)))
            let seconds = try #require(values["backfill_ingest_\(name)_seconds_total"])
            #expect(abs(seconds - saved.map(\.sum).reduce(0, +)) < 1e-6, "\(name): \(seconds)")
            let p50 = try #require(values["backfill_ingest_\(name)_latency_seconds{quantile=\"0.5\"}"], "\(text)")
            let p99 = try #require(values["backfill_ingest_\(name)_latency_seconds{quantile=\"0.99\"}"])
            #expect(p50 > 0 && p50 <= p99 && p99 <= saved.map(\.max).max()!, "\(name): \(p50) \(p99)")
        }
    }

    /// The count, sum and max of a histogram in a saved run report.
    static func histogramTotals(report: String, key: String) throws -> (count: Int, sum: Double, max: Double) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
        let progress = try #require(object["progress"] as? [String: Any])
        let histogram = try #require(progress[key] as? [String: Any], "\(key) in \(report)")
        return (
            try #require(histogram["count"] as? Int), try #require(histogram["sumSeconds"] as? Double),
            histogram["maxSeconds"] as? Double ?? 0
        )
    }

    /// Sample lines as `name{labels}` → value.
    static func samples(_ text: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            values[String(line[..<space])] = value
        }
        return values
    }
}
