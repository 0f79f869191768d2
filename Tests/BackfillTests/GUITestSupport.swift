import BackfillCore
import Foundation
import Ingestion
import PolygonSandbox
import Storage

/// One warehouse for the gui tests, filled once per test process by a real backfill (reference,
/// actions, daily, minute, news) from the sandbox over loopback HTTP into a SQLite file.
enum GUITestData {
    static let range = TestSupport.range("2024-12-02", "2025-02-28")
    static let universe = SyntheticUniverse()

    /// An active single-name security with a split inside ``range``.
    static let splitTicker: String = {
        let split = universe.securities.first { security in
            security.isActive && security.names.count == 1 && security.splits.contains { range.contains($0.date) }
        }
        return split?.currentTicker ?? "NVDA"
    }()

    /// A security delisted before ``range`` (its reference data is stored, no bars).
    static let delistedTicker: String = {
        let gone = universe.securities.first { security in
            security.names.count == 1 && security.delistDate.map { $0.year >= 2010 && $0 < range.first } == true
        }
        return gone?.currentTicker ?? "AAPL"
    }()

    static var tickers: [String] { ["AAPL", "META", splitTicker] }

    private static let filled = Task<String, any Error> {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("gui.sqlite").path
        try await fill(try SQLiteBarStore(path: path))
        return path
    }

    /// Fills `store` with the gui tests' warehouse; the same every time (the sandbox's fixed seed,
    /// a run record with fixed times), so two stores filled here answer alike.
    static func fill(_ store: any BarStore & ReferenceStore) async throws {
        let asked = BackfillRequest(
            tickers: tickers + [delistedTicker], range: range, today: TestSupport.date("2026-05-29"), concurrency: 3,
            minuteChunkDays: 30)
        // As `scraper backfill` runs them: reference and actions, the bars (FB's years under META), then news.
        let (report, phases, request) = try await TestSupport.sandbox().withRunning { baseURL in
            var request = asked
            let client = TestSupport.client(baseURL: baseURL)
            let metadata = MetadataPhases(client: client, store: store, logger: TestSupport.quietLogger)
            let before = await metadata.runBeforeBars(request)
            request = await metadata.addingFormerTickers(to: request)
            let report = try await BackfillRunner(
                client: client, store: store, bus: nil, logger: TestSupport.quietLogger
            )
            .run(request)
            return (report, before + (await metadata.runAfterBars(request)), request)
        }
        let failures = report.failures.map(\.description) + phases.flatMap(\.failures).map { "\($0)" }
        guard failures.isEmpty else { throw GUITestFailure(message: "backfill failed: \(failures)") }
        try await store.recordRun(
            RunRecord(
                startedAtMs: TestSupport.nowMs, finishedAtMs: TestSupport.nowMs + 12_000, status: "completed",
                tickers: request.tickers, barsReceived: report.progress.barsReceived,
                barsChanged: report.progress.barsChanged, requests: report.progress.requests, errors: []))
    }

    /// The filled database's path.
    static func path() async throws -> String { try await filled.value }

    /// A store on the filled database.
    static func store() async throws -> SQLiteBarStore { try SQLiteBarStore(path: try await path()) }
}

struct GUITestFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
