import Foundation
import PolygonSandbox
import PostgresStore
import Storage
import Synchronization
import Testing

/// PostgreSQL going away mid-backfill: transactions that fail on the lost connection are retried
/// until the server is back, so the run finishes with nothing lost or doubled; a server that stays
/// away ends in one clear line once the retry deadline passes. Each test has its own cluster (the
/// suite's shared one must not be stopped under other tests).
@Suite("PostgreSQL restarted mid-backfill", .serialized)
struct PostgresRestartTests {
    @Test func aBackfillRidesOutAServerRestartAndEqualsAnUndisturbedRun() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let faults = FaultInjector(
            rules: [.init(pathPrefix: "/v2/aggs", fault: .latency(milliseconds: 250), probability: 1)], seed: 5)
        let sandbox = TestSupport.sandbox(faults: faults)
        try await DedicatedCluster.with { cluster in
            try await sandbox.withRunning { baseURL in
                let arguments = [
                    "--base-url", baseURL, "--rate-limit", "100000", "--tickers", "AMD,NVDA,TSLA", "--from",
                    "2024-01-02",
                    "--to", "2024-06-28", "--concurrency", "2", "--phases", "daily,minute",
                ]
                var environment = [
                    "POLYGON_API_KEY": SandboxConfiguration.defaultAPIKey, "DB_PASSWORD": cluster.admin.password ?? "",
                ]
                let restarted = try await cluster.database("restarted")
                let (process, _, err) = try ScraperCLITests.start(
                    arguments + ["--db", PostgresWorkersCLITests.url(restarted)], in: folder, environment: environment)
                // Down once some chunks are stored, up again once the run says it is waiting.
                try await Self.until("minute bars stored", process: process) {
                    let rows = try? await PostgresTestSupport.rows(
                        "SELECT COUNT(*)::text FROM bars_minute", on: restarted)
                    return (Int(rows?.first ?? "") ?? 0) > 0
                }
                try await cluster.run("pause")
                try await Self.until("the retry line", process: process) {
                    ((try? String(contentsOf: err, encoding: .utf8)) ?? "").contains(
                        "PostgreSQL unreachable, retrying (")
                }
                try await cluster.run("resume")
                let exit = try await ChildExit.wait(process, timeout: .seconds(600))
                let output = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
                #expect(exit?.code == 0, "\(output.suffix(3_000))")
                #expect(output.contains("PostgreSQL reachable again after"))

                let undisturbed = try await cluster.database("undisturbed")
                environment["DB_PASSWORD"] = undisturbed.password ?? ""
                let clean = try await ScraperCLITests.run(
                    arguments + ["--db", PostgresWorkersCLITests.url(undisturbed)], in: folder,
                    environment: environment)
                #expect(clean.status == 0, "\(clean.all.suffix(3_000))")
                try await PostgresWorkersCLITests.expectSameContent(restarted, as: undisturbed)
                let minutes = try await PostgresTestSupport.rows(
                    "SELECT COUNT(*)::text FROM bars_minute", on: restarted)
                #expect((Int(minutes.first ?? "") ?? 0) > 200_000, "\(minutes)")
            }
        }
    }

    /// A server that stays down: waiting for a pooled connection times out, the transaction is
    /// retried until the deadline, then fails with one line naming the server and what to do.
    @Test func aServerThatStaysDownEndsInOneClearLine() async throws {
        try await DedicatedCluster.with { cluster in
            var settings = try await cluster.database("down")
            settings.acquireTimeout = .seconds(1)
            settings.reconnectDeadline = .seconds(3)
            let events = EventLog()
            try await PostgresBarStore.withStore(
                settings, logger: TestSupport.quietLogger, onConnectionEvent: { events.append($0) }
            ) { (store) async throws in
                #expect(try await store.inventory().isEmpty)
                try await cluster.run("pause")
                let started = ContinuousClock.now
                let error = try await #require(throws: StorageError.self) { try await store.inventory() }
                #expect(ContinuousClock.now - started < .seconds(60))
                #expect(error.code == .unreachable)
                let text = "\(error)"
                #expect(!text.contains("\n") && !text.contains(settings.password ?? "?"))
                #expect(text.contains("PostgreSQL at \(settings.host):\(settings.port) unreachable for 3 s"), "\(text)")
                #expect(events.all.contains { if case .retrying = $0 { true } else { false } })
                // Back up: the same store works again.
                try await cluster.run("resume")
                #expect(try await store.inventory().isEmpty)
            }
        }
    }

    /// Waits (generously) until `condition` holds; fails if the child ends first.
    static func until(
        _ what: String, process: Process, _ condition: () async -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            if await condition() { return }
            guard ChildExit.isRunning(process) else {
                Issue.record("scraper ended before \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no \(what) within 300 s")
        throw CancellationError()
    }
}

final class EventLog: Sendable {
    private let events = Mutex<[PostgresBarStore.ConnectionEvent]>([])
    func append(_ event: PostgresBarStore.ConnectionEvent) { events.withLock { $0.append(event) } }
    var all: [PostgresBarStore.ConnectionEvent] { events.withLock { $0 } }
}

/// A PostgreSQL cluster of one test's own (`scripts/pg-cluster.sh`), which it may stop and start.
struct DedicatedCluster: Sendable {
    let directory: String
    let admin: PostgresSettings

    static func with(_ body: (DedicatedCluster) async throws -> Void) async throws {
        let output = try await script(["start"])
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { values[String(pair[0])] = String(pair[1]) }
        }
        let directory = try #require(values["BACKFILL_TEST_PG_DIR"])
        do {
            let cluster = DedicatedCluster(
                directory: directory, admin: try PostgresSettings(url: try #require(values["BACKFILL_TEST_PG_URL"])))
            try await body(cluster)
        } catch {
            _ = try? await script(["stop", directory])
            throw error
        }
        _ = try await script(["stop", directory])
    }

    /// A new database in the cluster.
    func database(_ name: String) async throws -> PostgresSettings {
        try await PostgresTestSupport.execute("CREATE DATABASE \(name)", on: admin)
        var settings = admin
        settings.database = name
        return settings
    }

    /// `pg-cluster.sh pause|resume` on this cluster.
    func run(_ command: String) async throws {
        _ = try await Self.script([command, directory])
    }

    /// Runs the script without blocking a thread (an initdb takes seconds); returns its output.
    private static func script(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = TestSupport.repositoryRoot.appendingPathComponent("scripts/pg-cluster.sh")
        process.arguments = arguments
        let out = try TestSupport.temporaryDirectory().appendingPathComponent("pg-cluster.out")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        try process.run()
        let status = try await ChildExit.wait(process, timeout: .seconds(120))
        guard status?.code == 0 else {
            throw StorageError(
                .cannotOpen,
                "pg-cluster.sh \(arguments.joined(separator: " ")) failed: \(status.map { "\($0)" } ?? "timed out")")
        }
        return try String(contentsOf: out, encoding: .utf8)
    }
}
