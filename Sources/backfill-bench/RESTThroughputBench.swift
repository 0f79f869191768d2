import BackfillCore
import Foundation
import Logging
import Polygon
import PolygonSandbox

/// Issue 4's REST case: against the sandbox with 20 ms added latency and the limiter at 100
/// requests/s, how many requests per second the client sustains (and its peak memory); then, with
/// 10% of answers turned into 429s, whether every page still arrives exactly once.
enum RESTThroughputBench {
    static func run() async throws {
        let seconds = Double(ProcessInfo.processInfo.environment["BENCH_SECONDS"] ?? "60") ?? 60
        let logger = {
            var logger = Logger(label: "bench"); logger.logLevel = .critical; return logger
        }()
        let faults = FaultInjector(rules: [
            .init(pathPrefix: "/v2/aggs", fault: .latency(milliseconds: 20), probability: 1)
        ])
        let nowMs = EasternTime.utcMilliseconds(on: LocalDate("2026-11-27")!, minutesAfterMidnight: 0)
        let sandbox = SandboxServer(
            configuration: SandboxConfiguration(faults: faults, nowMs: { nowMs }, logger: logger))
        try await sandbox.withRunning { baseURL in
            let client = RESTClient(
                configuration: .init(
                    baseURL: baseURL, apiKey: SandboxConfiguration.defaultAPIKey, requestsPerMinute: 6_000,
                    retry: RetryPolicy(maxAttempts: 8, baseDelay: 0.05, maxDelay: 1)),
                logger: logger)
            try await sustained(client, seconds: seconds)
            try await exactlyOnce(client, faults: faults)
        }
    }

    static let tickers = ["AAPL", "AMD", "NVDA", "TSLA", "MSFT", "META", "AMZN", "NFLX"]

    static func sustained(_ client: RESTClient, seconds: Double) async throws {
        let sessions = Array(
            TradingCalendar().sessions(in: DayRange(LocalDate("2024-01-02")!, LocalDate("2026-11-25")!)!))
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int64(seconds * 1_000))
        let done = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var index = worker
                    var count = 0
                    while ContinuousClock.now < deadline {
                        let session = sessions[index % sessions.count]
                        let range = DayRange(session.date, session.date)!
                        _ = try await client.aggregates(
                            ticker: tickers[index % tickers.count], timeframe: .minute, range: range)
                        count += 1
                        index += 8
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print(
            "sustained: \(done) requests in \(String(format: "%.1f", wall)) s = \(String(format: "%.1f", Double(done) / wall)) requests/s "
                + "(limit 100/s, 20 ms latency, 8 in flight); peak RSS \(String(format: "%.0f", BackfillBench.peakRSSMegabytes())) MB"
        )
    }

    static func exactlyOnce(_ client: RESTClient, faults: FaultInjector) async throws {
        let weeks = (0..<40).map {
            DayRange(LocalDate("2025-01-06")!.adding(days: 7 * $0), LocalDate("2025-01-10")!.adding(days: 7 * $0))!
        }
        var clean: [[Bar]] = []
        for (index, week) in weeks.enumerated() {
            clean.append(
                try await client.aggregates(
                    ticker: tickers[index % tickers.count], timeframe: .minute, range: week, pageLimit: 500
                ).bars)
        }
        faults.setRules([
            .init(pathPrefix: "/v2/aggs", fault: .latency(milliseconds: 20), probability: 1),
            .init(pathPrefix: "/v2/aggs", fault: .status(429, retryAfterSeconds: nil), probability: 0.1),
        ])
        let before = client.statistics
        var identical = 0
        for (index, week) in weeks.enumerated() {
            let bars = try await client.aggregates(
                ticker: tickers[index % tickers.count], timeframe: .minute, range: week, pageLimit: 500
            ).bars
            if bars == clean[index] { identical += 1 }
        }
        let after = client.statistics
        let pages = clean.map { ($0.count + 499) / 500 }.reduce(0, +)
        print(
            "with 10% 429s: \(identical)/\(weeks.count) ranges identical to the fault-free answer (\(pages) pages, "
                + "\(after.rateLimited - before.rateLimited) 429s, \(after.retries - before.retries) retries)")
    }
}
