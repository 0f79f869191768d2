import BackfillCore
import Foundation
import GRDB
import Logging
import Polygon
import PolygonSandbox
import Storage

/// Shared helpers: temporary folders, a sandbox on a loopback port, a fast-retrying client.
enum TestSupport {
    /// A fixed "now" (2026-06-01 00:00Z) so that no test depends on the wall clock.
    static let nowMs: Int64 = 1_780_272_000_000

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/polygon-fixtures` beside the checkout.
    static var fixtures: URL {
        repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/polygon-fixtures")
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("backfill-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    static func sandbox(faults: FaultInjector = FaultInjector(), forbidden: Set<String> = []) -> SandboxServer {
        SandboxServer(
            configuration: SandboxConfiguration(
                forbiddenTickers: forbidden, faults: faults, nowMs: { nowMs }, logger: quietLogger))
    }

    static func client(baseURL: String, apiKey: String = SandboxConfiguration.defaultAPIKey, attempts: Int = 4)
        -> RESTClient
    {
        RESTClient(
            configuration: .init(
                baseURL: baseURL, apiKey: apiKey, requestsPerMinute: nil,
                retry: RetryPolicy(maxAttempts: attempts, baseDelay: 0.01, maxDelay: 0.05), requestTimeout: 30),
            logger: quietLogger)
    }

    static func date(_ text: String) -> LocalDate { LocalDate(text)! }
    static func range(_ a: String, _ b: String) -> DayRange { DayRange(date(a), date(b))! }

    /// SQL counting the stored minute bars (packed days plus unpacked live rows).
    static let storedMinutesSQL =
        "SELECT (SELECT COALESCE(SUM(count), 0) FROM minute_blocks) + (SELECT COUNT(*) FROM bars_minute)"

    /// Every stored bar of a database, by ticker and time, for comparing two databases exactly.
    static func contents(ofDatabase path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            var lines: [String] = []
            let days = try Row.fetchAll(db, sql: "SELECT * FROM bars_day_by_ticker ORDER BY ticker, t")
            lines += days.map { "bars_day_by_ticker \($0)" }
            // Minute bars are packed per day: compare them unpacked.
            try SQLiteBarStore.forEachMinuteBar(db) { ticker, bar in lines.append("bars_minute \(ticker) \(bar)") }
            // The completeness ledger and the completed ranges are content too (not their timestamps).
            if try db.tableExists("ledger") {
                let ledger = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT s.ticker, l.session, l.expected, l.received, l.regular, l.status, l.source
                        FROM ledger l JOIN securities s ON s.id = l.security_id ORDER BY s.ticker, l.session
                        """)
                lines += ledger.map { "ledger \($0)" }
            }
            let coverage = try Row.fetchAll(
                db,
                sql: """
                    SELECT s.ticker, c.timeframe, c.first_day, c.last_day FROM coverage c
                    JOIN securities s ON s.id = c.security_id ORDER BY s.ticker, c.timeframe, c.first_day
                    """)
            lines += coverage.map { "coverage \($0)" }
            return lines
        }
    }
}

extension TestSupport {
    /// The first `count` elements of `stream` that pass `accept`, or fewer when `seconds` run out
    /// first — so a test that waits for a message can fail but never hang.
    static func collect<Element: Sendable>(
        _ stream: AsyncStream<Element>, count: Int, seconds: Double = 10,
        where accept: @escaping @Sendable (Element) -> Bool = { _ in true }
    ) async -> [Element] {
        await withTaskGroup(of: [Element]?.self) { group in
            group.addTask {
                var found: [Element] = []
                for await element in stream where accept(element) {
                    found.append(element)
                    if found.count == count { break }
                }
                return found
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1_000)))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? []
        }
    }
}
