import Foundation
import GRDB
import PolygonSandbox
import Testing

/// The crash-safety promise under a misbehaving API: a REST backfill killed (SIGKILL) at several
/// points, with 429s, 5xx, resets and cut-off JSON injected, then run again until it succeeds,
/// ends with exactly the database (bars, ledger, coverage) of one clean uninterrupted run.
@Suite("Kills under faults", .serialized)
struct KillUnderFaultsTests {
    static let range = ["--from", "2024-01-02", "--to", "2024-05-31"]

    @Test func killedSeveralTimesUnderFaultsEndsLikeOneCleanRun() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let faults = FaultInjector(
            rules: [
                .init(fault: .status(429, retryAfterSeconds: nil), probability: 0.08),
                .init(fault: .status(503, retryAfterSeconds: nil), probability: 0.05),
                .init(fault: .resetMidBody, probability: 0.05),
                .init(fault: .malformedJSON, probability: 0.05),
            ], seed: 7)
        let sandbox = TestSupport.sandbox(faults: faults)
        try await sandbox.withRunning { baseURL in
            let arguments =
                ["--base-url", baseURL, "--rate-limit", "100000", "--tickers", "AMD,NVDA,TSLA", "--concurrency", "2"]
                + Self.range
            let environment = ["POLYGON_API_KEY": SandboxConfiguration.defaultAPIKey]
            let killed = folder.appendingPathComponent("killed.sqlite").path
            var seen = 0
            var kills = 0
            for _ in 0..<3 {
                let (process, _, _) = try ScraperCLITests.start(
                    arguments + ["--db", killed], in: folder, environment: environment)
                seen = try await Self.waitForMoreMinuteBars(than: seen, in: killed, process: process)
                guard ChildExit.isRunning(process) else { break }
                #expect(try await ChildExit.kill9(process)?.signal == SIGKILL)
                kills += 1
                let queue = try DatabaseQueue(path: killed)
                #expect(try await queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
                try queue.close()
            }
            #expect(kills >= 2, "the run was killed at several points")
            // Faults may outlast a run's retries; each rerun fetches only what is still missing.
            var final: ScraperCLITests.Outcome?
            for _ in 0..<4 {
                let outcome = try await ScraperCLITests.run(
                    arguments + ["--db", killed], in: folder, environment: environment)
                final = outcome
                if outcome.status == 0 { break }
            }
            #expect(final?.status == 0, "\(final?.all ?? "")")
            #expect(
                faults.injectedCounts.values.reduce(0, +) > 0,
                "faults were injected: \(faults.injectedCounts) \(final?.all ?? "")")

            faults.setRules([])
            let clean = folder.appendingPathComponent("clean.sqlite").path
            let outcome = try await ScraperCLITests.run(
                arguments + ["--db", clean], in: folder, environment: environment)
            #expect(outcome.status == 0, "\(outcome.all)")
            let expected = try TestSupport.contents(ofDatabase: clean)
            let actual = try TestSupport.contents(ofDatabase: killed)
            let difference = Set(actual).symmetricDifference(expected).sorted().prefix(4)
            #expect(expected.count > 100_000 && actual == expected, "differs: \(difference)")
        }
    }

    /// Waits until the database holds more minute bars than `count` (or the process ends); returns the new count.
    static func waitForMoreMinuteBars(than count: Int, in path: String, process: Process) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(180)  // a loaded machine can take long to start
        while ContinuousClock.now < deadline {
            if FileManager.default.fileExists(atPath: path), let queue = try? DatabaseQueue(path: path),
                let now = try? await queue.read({ try Int.fetchOne($0, sql: TestSupport.storedMinutesSQL) }),
                now > count
            {
                try? queue.close()
                return now ?? count
            }
            guard ChildExit.isRunning(process) else { return count }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("no new minute bar within 180 s")
        return count
    }
}
