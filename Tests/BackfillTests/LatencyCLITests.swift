import BackfillCore
import Foundation
import GRDB
import PolygonSandbox
import Testing

/// Request and store-write latency as a user sees it: `scraper` as a real process against the
/// sandbox over loopback, its JSON progress events and the run it saves in a real SQLite file.
@Suite("scraper latency and run reports", .serialized)
struct LatencyCLITests {
    typealias CLI = ScraperCLITests

    /// Every REST answer delayed by 120 ms: the request median is at least that in the progress events
    /// and in the saved report, and every request and every chunk write is timed.
    @Test func aDelayedSandboxShowsItsLatencyInProgressAndTheSavedReport() async throws {
        let delay = 120
        let faults = FaultInjector(rules: [.init(fault: .latency(milliseconds: delay), probability: 1)])
        let folder = try TestSupport.temporaryDirectory()
        try "POLYGON_API_KEY=\(SandboxConfiguration.defaultAPIKey)\n".write(
            to: folder.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let outcome = try await TestSupport.sandbox(faults: faults).withRunning { baseURL in
            try await CLI.run(
                [
                    "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-08", "--base-url", baseURL,
                    "--rate-limit", "6000", "--phases", "daily,minute", "--log-format", "json",
                ], in: folder)
        }
        #expect(outcome.status == 0, "\(outcome.all)")
        let last = try #require(Self.progressEvents(outcome.stderr).last)
        let p50 = try #require(Double(last["request_p50_ms"] ?? ""), "\(last)")
        #expect(p50 >= Double(delay) && Double(last["request_p99_ms"] ?? "") ?? 0 >= p50, "\(last)")
        #expect(last["requests_timed"] == last["requests"] && Int(last["requests"] ?? "") ?? 0 >= 2, "\(last)")
        #expect(last["store_writes"] == last["chunks_done"] && last["chunks_done"] == "2", "\(last)")
        #expect(Double(last["store_write_p50_ms"] ?? "") != nil, "\(last)")
        #expect(outcome.stdout.contains("latency     requests p50 "), "\(outcome.stdout)")

        let progress = try await Self.savedProgress(folder.appendingPathComponent("backfill.sqlite").path)
        let requests = try Self.histogram(progress["requestLatency"])
        #expect(requests.count == progress["requests"] as? Int)
        #expect(try #require(requests.p50) >= Double(delay) / 1_000 && requests.min ?? 0 >= Double(delay) / 1_000)
        let writes = try Self.histogram(progress["storeWriteLatency"])
        #expect(writes.count == 2 && writes.count == progress["itemsDone"] as? Int)
    }

    /// Two 429s and a 503 from the sandbox's S3 on the day files: the saved flat-file report counts
    /// exactly those as rate-limited and retried, and one store write per day file stored.
    @Test func aFlatFileRunSavesItsRetriesRateLimitsAndWriteLatency() async throws {
        let faults = FaultInjector()
        faults.script(.status(429, retryAfterSeconds: nil), times: 2, pathPrefix: "/flatfiles/us_stocks_sip/")
        faults.script(.status(503, retryAfterSeconds: nil), times: 1, pathPrefix: "/flatfiles/us_stocks_sip/")
        let server = FlatFileTestSupport.sandbox(faults: faults)
        let folder = try TestSupport.temporaryDirectory()
        let outcome = try await server.withRunning { baseURL in
            let ticker = try #require(FlatFileTestSupport.fileTickers(server, on: TestSupport.date("2024-03-11")).first)
            let env = [
                "POLYGON_S3_ACCESS_KEY=\(S3Settings.defaultAccessKey)",
                "POLYGON_S3_SECRET_KEY=\(S3Settings.defaultSecretKey)", "POLYGON_S3_ENDPOINT=\(baseURL)", "",
            ]
            try env.joined(separator: "\n").write(
                to: folder.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
            return try await CLI.run(
                [
                    "--flatfiles", "--tickers", ticker, "--from", "2024-03-11", "--to", "2024-03-13", "--skip-minute",
                    "--log-format", "json",
                ], in: folder)
        }
        #expect(outcome.status == 0, "\(outcome.all)")
        #expect(faults.injectedCounts == ["429": 2, "503": 1])
        let last = try #require(Self.progressEvents(outcome.stderr).last)
        #expect(last["rate_limited"] == "2" && last["retries"] == "3" && last["store_writes"] == "3", "\(last)")
        #expect(Double(last["request_p50_ms"] ?? "") != nil && Double(last["store_write_p99_ms"] ?? "") != nil)

        let database = folder.appendingPathComponent("backfill.sqlite").path
        let progress = try await Self.savedProgress(database)
        #expect(progress["rateLimited"] as? Int == 2 && progress["retries"] as? Int == 3, "\(progress)")
        let written = try await DatabaseQueue(path: database).read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM tasks WHERE kind = 'flat-file' AND state = 'done'")
        }
        let writes = try Self.histogram(progress["storeWriteLatency"])
        #expect(written == 3 && writes.count == written && progress["itemsDone"] as? Int == written)
        // The listing, three downloads and the three refused attempts, each timed.
        let requests = try Self.histogram(progress["requestLatency"])
        #expect(requests.count == progress["requests"] as? Int && requests.count >= 7, "\(progress)")
        #expect(
            outcome.stdout.contains("requests    \(requests.count) (3 retries, 2 rate-limited)"), "\(outcome.stdout)")
    }

    /// The `progress` events of a `--log-format json` run, in order.
    static func progressEvents(_ stderr: String) throws -> [[String: String]] {
        try stderr.split(separator: "\n").compactMap { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard object?["event"] as? String == "progress" else { return nil }
            return object?.compactMapValues { $0 as? String }
        }
    }

    /// `progress` of the one run saved in the database.
    static func savedProgress(_ path: String) async throws -> [String: Any] {
        let reports = try await DatabaseQueue(path: path).read {
            try String?.fetchAll($0, sql: "SELECT report FROM runs")
        }
        #expect(reports.count == 1)
        let report = try #require(reports.first ?? nil, "the run was saved without its report")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
        return try #require(object["progress"] as? [String: Any], "\(report)")
    }

    static func histogram(_ value: Any?) throws -> LatencyHistogram {
        let object = try #require(value, "no latency histogram in the report")
        return try JSONDecoder().decode(LatencyHistogram.self, from: try JSONSerialization.data(withJSONObject: object))
    }
}
