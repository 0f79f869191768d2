import BackfillCore
import Foundation
import Ingestion
import MessageBus
import Polygon
import PolygonSandbox
import Storage
import Testing

/// Whole backfills: sandbox over loopback HTTP → client → runner → a real SQLite file.
@Suite("Backfill end to end")
struct BackfillRunnerTests {
    static let today = TestSupport.date("2026-05-29")

    func request(_ tickers: [String], _ range: DayRange) -> BackfillRequest {
        BackfillRequest(tickers: tickers, range: range, today: Self.today, concurrency: 3, minuteChunkDays: 20)
    }

    func backfill(
        _ request: BackfillRequest, into path: String, sandbox: SandboxServer = TestSupport.sandbox(),
        bus: (any MessageBus)? = nil
    ) async throws -> BackfillReport {
        let store = try SQLiteBarStore(path: path)
        return try await sandbox.withRunning { baseURL in
            try await BackfillRunner(
                client: TestSupport.client(baseURL: baseURL, attempts: 2), store: store, bus: bus,
                logger: TestSupport.quietLogger
            ).run(request)
        }
    }

    @Test func rerunAddsNothingAndAskesNothing() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("b.sqlite").path
        let range = TestSupport.range("2025-03-03", "2025-04-30")
        let first = try await backfill(request(["AMD", "NVDA"], range), into: path)
        #expect(first.status == .completed && first.failures.isEmpty)
        #expect(first.barsByTimeframe["1d"] == 2 * 42, "43 weekdays less Good Friday 2025-04-18")
        #expect((first.barsByTimeframe["1m"] ?? 0) > 2 * 42 * 390)
        #expect(first.progress.barsChanged == first.progress.barsReceived)
        let contents = try TestSupport.contents(ofDatabase: path)

        let sandbox = TestSupport.sandbox()
        let second = try await backfill(request(["AMD", "NVDA"], range), into: path, sandbox: sandbox)
        #expect(second.status == .completed)
        #expect(second.progress.requests == 0 && sandbox.statistics["aggregates"] == 0)
        #expect(second.alreadyCovered == 4)
        #expect(try TestSupport.contents(ofDatabase: path) == contents)
    }

    @Test func widerRangeFetchesOnlyTheNewDaysAndMatchesAFreshRun() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let grown = folder.appendingPathComponent("grown.sqlite").path
        let fresh = folder.appendingPathComponent("fresh.sqlite").path
        _ = try await backfill(request(["TSLA"], TestSupport.range("2025-04-01", "2025-04-30")), into: grown)
        let sandbox = TestSupport.sandbox()
        let wider = TestSupport.range("2025-03-01", "2025-05-20")
        let report = try await backfill(request(["TSLA"], wider), into: grown, sandbox: sandbox)
        // Missing: 03-01…03-31 (2 minute chunks of ≤20 days) and 05-01…05-20 (1), plus 2 daily gaps.
        #expect(sandbox.statistics["aggregates"] == 5)
        #expect(report.status == .completed)
        _ = try await backfill(request(["TSLA"], wider), into: fresh)
        #expect(try TestSupport.contents(ofDatabase: grown) == TestSupport.contents(ofDatabase: fresh))
    }

    @Test func todayIsFetchedButNeverMarkedComplete() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("t.sqlite").path
        _ = try await backfill(request(["AMD"], TestSupport.range("2026-05-26", "2026-05-29")), into: path)
        let store = try SQLiteBarStore(path: path)
        #expect(
            try await store.coverage(symbol: "AMD", timeframe: .minute) == [
                TestSupport.range("2026-05-26", "2026-05-28")
            ])
    }

    /// A chunk whose pages stay broken fails alone: the rest is stored, nothing of it is, and the
    /// next run fills exactly that hole.
    @Test func aBrokenChunkFailsAloneAndTheNextRunRepairsIt() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let path = folder.appendingPathComponent("f.sqlite").path
        let reference = folder.appendingPathComponent("ref.sqlite").path
        let range = TestSupport.range("2025-06-02", "2025-07-15")
        let faults = FaultInjector()
        faults.script(.malformedJSON, times: 100, pathPrefix: "/v2/aggs/ticker/NVDA/range/1/minute/2025-06-22")
        let broken = try await backfill(
            request(["AMD", "NVDA"], range), into: path, sandbox: TestSupport.sandbox(faults: faults))
        #expect(broken.status == .failed)
        #expect(broken.failures.count == 1)
        #expect(broken.failures.first?.item == "NVDA 1m 2025-06-22…2025-07-11")
        #expect(broken.failures.first?.message.contains("not valid JSON") == true)
        let store = try SQLiteBarStore(path: path)
        #expect(
            try await store.coverage(symbol: "NVDA", timeframe: .minute)
                == [TestSupport.range("2025-06-02", "2025-06-21"), TestSupport.range("2025-07-12", "2025-07-15")])

        let repaired = try await backfill(request(["AMD", "NVDA"], range), into: path)
        #expect(repaired.status == .completed && repaired.progress.itemsTotal == 1)
        _ = try await backfill(request(["AMD", "NVDA"], range), into: reference)
        #expect(try TestSupport.contents(ofDatabase: path) == TestSupport.contents(ofDatabase: reference))
    }

    @Test func storedChunksArePublishedOnTheBus() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("bus.sqlite").path
        let bus = InProcessBus()
        let messages = bus.subscribe(topicPrefix: "bars.", bufferSize: 100)
        let report = try await backfill(
            request(["AMD"], TestSupport.range("2025-01-06", "2025-01-10")), into: path, bus: bus)
        #expect(report.status == .completed)
        let topics = await TestSupport.collect(messages, count: 2).map(\.topic)
        #expect(Set(topics) == ["bars.1d.AMD", "bars.1m.AMD"])
    }

    @Test func progressIsPublishedForOtherWatchers() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("progress.sqlite").path
        let bus = InProcessBus()
        let events = bus.subscribe(topicPrefix: Topic.progress, bufferSize: 100)
        _ = try await backfill(request(["AMD"], TestSupport.range("2025-01-06", "2025-01-10")), into: path, bus: bus)
        let final = await TestSupport.collect(events, count: 1) { message in
            let progress = try? JSONDecoder().decode(BackfillProgress.self, from: Data(message.payload))
            return progress.map { $0.itemsDone == $0.itemsTotal && $0.lastItem != nil } ?? false
        }
        let last = try JSONDecoder().decode(BackfillProgress.self, from: Data(try #require(final.first).payload))
        #expect(last.itemsTotal == 2 && last.barsReceived > 4 * 390)
    }
}

/// `--all` daily history: one grouped-daily request per session, whatever the number of tickers.
@Suite("Whole-market daily bars")
struct MarketDailyTests {
    @Test func oneRequestPerSessionAndTheSameBarsAsPerTicker() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("all.sqlite").path
        let range = TestSupport.range("2025-03-03", "2025-03-05")
        let request = {
            var request = BackfillRequest(
                tickers: [], range: range, timeframes: [.day], today: BackfillRunnerTests.today)
            request.allTickers = true
            return request
        }()
        let store = try SQLiteBarStore(path: path)
        let sandbox = TestSupport.sandbox()
        let (first, second, perTicker) = try await sandbox.withRunning { baseURL in
            let client = TestSupport.client(baseURL: baseURL)
            let runner = BackfillRunner(client: client, store: store, logger: TestSupport.quietLogger)
            return (
                try await runner.run(request), try await runner.run(request),
                try await client.aggregates(ticker: "AAPL", timeframe: .day, range: range).bars
            )
        }
        #expect(first.status == .completed && first.progress.itemsTotal == 3)
        #expect(sandbox.statistics["grouped"] == 3, "3 sessions, 3 requests for ~290 tickers, none on the rerun")
        #expect(second.progress.itemsTotal == 0 && second.alreadyCovered == 1)
        #expect((first.barsByTimeframe["1d"] ?? 0) > 250 * 3)
        let stored = try await store.bars(symbol: "AAPL", timeframe: .day, fromMs: 0, toMs: .max, limit: 10)
        #expect(stored == perTicker, "grouped daily restamped to 00:00 New York equals the per-ticker daily bars")
    }
}

/// The indicator state saved after a backfill is what the engine would hold after every stored bar,
/// whether the history grew forward (incremental) or backward (recomputed).
@Suite("Indicator state after a backfill")
struct EnrichmentTests {
    func fromScratch(_ store: SQLiteBarStore, _ timeframe: Timeframe) async throws -> IndicatorEngine {
        var engine = try IndicatorEngine()
        for bar in try await store.bars(symbol: "AMD", timeframe: timeframe, fromMs: 0, toMs: .max, limit: 1_000_000) {
            _ = engine.update(bar)
        }
        return engine
    }

    func saved(_ store: SQLiteBarStore, _ timeframe: Timeframe) async throws -> IndicatorEngine {
        let state = try #require(try await store.indicatorState(symbol: "AMD", timeframe: timeframe))
        return try IndicatorEngine(savedState: state.state)
    }

    @Test func savedStateEqualsAFullRecomputeForwardAndBackward() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("enrich.sqlite").path
        let store = try SQLiteBarStore(path: path)
        let sandbox = TestSupport.sandbox()
        for range in [("2025-03-03", "2025-03-14"), ("2025-03-03", "2025-03-28"), ("2025-02-03", "2025-03-28")] {
            let request = BackfillRequest(
                tickers: ["AMD"], range: TestSupport.range(range.0, range.1), today: BackfillRunnerTests.today)
            _ = try await sandbox.withRunning { baseURL in
                try await BackfillRunner(
                    client: TestSupport.client(baseURL: baseURL), store: store, logger: TestSupport.quietLogger
                )
                .run(request)
            }
            for timeframe in [Timeframe.day, .minute] {
                let expected = try await fromScratch(store, timeframe)
                #expect(try await saved(store, timeframe) == expected, "\(range) \(timeframe)")
            }
        }
        let day = try await saved(store, .day)
        #expect(day.isReady, "40 sessions warm every default indicator up")
    }
}
