import BackfillCore
import Foundation
import Ingestion
import Logging
import Polygon
import PolygonSandbox
import Storage

/// Issue 2's case: 3 tickers × 2 years of minute bars (and their daily bars) from the sandbox over
/// loopback HTTP into a fresh SQLite file, through the same runner `scraper` uses.
enum RESTBackfillBench {
    static func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "backfill-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let logger = {
            var logger = Logger(label: "bench"); logger.logLevel = .warning; return logger
        }()
        let today = LocalDate("2026-11-27")!
        let request = BackfillRequest(
            tickers: ["AMD", "NVDA", "TSLA"], range: BackfillRequest.range(years: 2, endingOn: today.adding(days: -1)),
            today: today, concurrency: 4)
        let nowMs = EasternTime.utcMilliseconds(on: today, minutesAfterMidnight: 0)
        let sandbox = SandboxServer(configuration: SandboxConfiguration(nowMs: { nowMs }, logger: logger))
        let store = try SQLiteBarStore(path: folder.appendingPathComponent("bench.sqlite").path)
        let report = try await sandbox.withRunning { baseURL in
            let client = RESTClient(
                configuration: .init(
                    baseURL: baseURL, apiKey: SandboxConfiguration.defaultAPIKey, requestsPerMinute: nil),
                logger: logger)
            return try await BackfillRunner(client: client, store: store, logger: logger).run(request)
        }
        let p = report.progress
        print("status \(report.status.rawValue); \(report.tickers.joined(separator: ",")) \(request.range)")
        print(
            "bars \(p.barsReceived) (1m \(report.barsByTimeframe["1m"] ?? 0), 1d \(report.barsByTimeframe["1d"] ?? 0))"
                + " in \(String(format: "%.2f", p.elapsedSeconds)) s = \(String(format: "%.0f", p.barsPerSecond)) bars/s"
        )
        print(
            "requests \(p.requests), \(String(format: "%.1f", Double(p.bytes) / 1e6)) MB of JSON"
                + ", peak RSS \(String(format: "%.0f", BackfillBench.peakRSSMegabytes())) MB")
    }
}
