import BackfillCore
import Foundation
import GRDB
import PostgresStore
import Storage
import Testing

/// The store behaviours every backend must share, run against SQLite (a temp file) and PostgreSQL
/// (a new database on the test cluster) with the same inputs and the same expected results.
@Suite("Store behaviour on SQLite and PostgreSQL")
struct StoreBehaviourTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    typealias Store = any BarStore & LedgerStore & ReferenceStore & TaskStore & TickerDirectory

    /// Read-only SQL both backends understand (`CAST(… AS TEXT)` for non-text columns).
    struct SQL: Sendable {
        let strings: @Sendable (String) async throws -> [String]

        func count(_ sql: String) async throws -> Int {
            let text = sql.replacingOccurrences(of: "SELECT COUNT(*)", with: "SELECT CAST(COUNT(*) AS TEXT)")
            return Int(try await strings(text).first ?? "") ?? -1
        }
    }

    /// Runs `body` with a new, empty store of `backend` and SQL on its database.
    static func withStore(_ backend: Backend, _ body: (Store, SQL) async throws -> Void) async throws {
        switch backend {
        case .sqlite:
            let path = try TestSupport.temporaryDirectory().appendingPathComponent("store.sqlite").path
            let store = try SQLiteBarStore(path: path)
            try await body(
                store, SQL { sql in try await DatabaseQueue(path: path).read { try String.fetchAll($0, sql: sql) } })
        case .postgres:
            try await PostgresTestSupport.withDatabase { (settings) async throws in
                try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { store in
                    try await body(store, SQL { sql in try await PostgresTestSupport.rows(sql, on: settings) })
                }
            }
        }
    }

    static func bars(_ count: Int, start: Int64 = 1_735_828_200_000) -> [Bar] {
        SQLiteBarStoreTests.bars(count, start: start)
    }

    @Test(arguments: Backend.allCases)
    func upsertIsIdempotentAndReportsOnlyRealChanges(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, _) async throws in
            var batch = BarBatch(symbol: "AMD", timeframe: .minute, bars: Self.bars(500))
            #expect(try await store.write(batch, covering: nil) == WriteOutcome(received: 500, changed: 500))
            #expect(try await store.write(batch, covering: nil) == WriteOutcome(received: 500, changed: 0))
            batch.bars[17].close += 0.25
            batch.bars[18].transactions = nil
            batch.bars[19].vwap = nil
            #expect(try await store.write(batch, covering: nil).changed == 3)
            let stored = try await store.bars(symbol: "AMD", timeframe: .minute, fromMs: 0, toMs: .max, limit: 10_000)
            #expect(stored == batch.bars)
        }
    }

    @Test(arguments: Backend.allCases)
    func readsByRangeAreInclusiveOrderedAndLimited(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, _) async throws in
            let bars = Self.bars(100)
            _ = try await store.write(BarBatch(symbol: "AMD", timeframe: .minute, bars: bars.reversed()), covering: nil)
            let slice = try await store.bars(
                symbol: "AMD", timeframe: .minute, fromMs: bars[10].windowStartMs, toMs: bars[20].windowStartMs,
                limit: 1_000)
            #expect(slice == Array(bars[10...20]))
            let limited = try await store.bars(
                symbol: "AMD", timeframe: .minute, fromMs: bars[10].windowStartMs, toMs: .max, limit: 5)
            #expect(limited == Array(bars[10..<15]))
            #expect(try await store.bars(symbol: "NVDA", timeframe: .minute, fromMs: 0, toMs: .max, limit: 9).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func symbolsAndTimeframesAreKeptApart(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, _) async throws in
            _ = try await store.write(BarBatch(symbol: "TpC", timeframe: .minute, bars: Self.bars(10)), covering: nil)
            _ = try await store.write(BarBatch(symbol: "TPC", timeframe: .minute, bars: Self.bars(20)), covering: nil)
            _ = try await store.write(BarBatch(symbol: "TPC", timeframe: .day, bars: Self.bars(3)), covering: nil)
            let inventory = try await store.inventory()
            #expect(
                inventory.map { "\($0.symbol) \($0.timeframe) \($0.bars)" } == ["TPC 1d 3", "TPC 1m 20", "TpC 1m 10"])
            #expect(inventory.first?.firstMs == Self.bars(3).first?.windowStartMs)
            #expect(inventory.first?.lastMs == Self.bars(3).last?.windowStartMs)
        }
    }

    @Test(arguments: Backend.allCases)
    func coverageMergesAndIsReadBack(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, _) async throws in
            let empty = BarBatch(symbol: "AMD", timeframe: .day, bars: [])
            _ = try await store.write(empty, covering: TestSupport.range("2024-01-01", "2024-01-31"))
            _ = try await store.write(empty, covering: TestSupport.range("2024-03-01", "2024-03-31"))
            _ = try await store.write(empty, covering: TestSupport.range("2024-02-01", "2024-02-10"))
            #expect(
                try await store.coverage(symbol: "AMD", timeframe: .day)
                    == [TestSupport.range("2024-01-01", "2024-02-10"), TestSupport.range("2024-03-01", "2024-03-31")])
            #expect(try await store.coverage(symbol: "AMD", timeframe: .minute).isEmpty)
            #expect(try await store.coverage(symbol: "NVDA", timeframe: .day).isEmpty)
            #expect(
                try await store.coverageForPlanning(symbol: "AMD", timeframe: .day)
                    == store.coverage(symbol: "AMD", timeframe: .day))
        }
    }

    /// Chunks of one security stored at once (as the REST runner does, FB's and META's after a
    /// rename) merge their ranges as if stored one after the other.
    @Test(arguments: Backend.allCases)
    func concurrentWritesMergeTheirCoverage(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, _) async throws in
            let first = TestSupport.date("2024-01-01")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for week in 0..<12 {
                    group.addTask {
                        let range = DayRange(first.adding(days: week * 7), first.adding(days: week * 7 + 6))
                        _ = try await store.write(
                            BarBatch(symbol: "AMD", timeframe: .minute, bars: []), covering: range)
                    }
                }
                try await group.waitForAll()
            }
            #expect(
                try await store.coverage(symbol: "AMD", timeframe: .minute)
                    == [DayRange(first, first.adding(days: 83))!])
        }
    }

    /// A failure halfway through a batch stores none of it and marks nothing covered.
    @Test(arguments: Backend.allCases)
    func aFailedBatchLeavesNothingBehind(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, _) async throws in
            var bars = Self.bars(1_000)
            bars[600].open = .nan
            await #expect(throws: StorageError.self) {
                try await store.write(
                    BarBatch(symbol: "AMD", timeframe: .minute, bars: bars),
                    covering: TestSupport.range("2025-01-02", "2025-01-02"))
            }
            #expect(try await store.inventory().isEmpty)
            #expect(try await store.coverage(symbol: "AMD", timeframe: .minute).isEmpty)
        }
    }

    /// A day of many symbols is one transaction: all stored, or (one bad bar) none.
    @Test(arguments: Backend.allCases)
    func manySymbolsAreWrittenAllOrNothing(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, _) async throws in
            let batches = (0..<50).map { BarBatch(symbol: "S\($0)", timeframe: .minute, bars: Self.bars(130)) }
            #expect(try await store.write(batches) == WriteOutcome(received: 6_500, changed: 6_500))
            #expect(try await store.write(batches).changed == 0)
            var broken = batches.map { batch -> BarBatch in
                var copy = batch
                copy.bars = copy.bars.map {
                    var bar = $0
                    bar.close += 1
                    return bar
                }
                return copy
            }
            broken[49].bars[100].volume = .infinity
            await #expect(throws: StorageError.self) { try await store.write(broken) }
            let stored = try await store.bars(symbol: "S0", timeframe: .minute, fromMs: 0, toMs: .max, limit: 1_000)
            #expect(stored == Self.bars(130), "the first symbol's update was rolled back with the last one's")
            #expect(try await store.inventory().map(\.bars).reduce(0, +) == 6_500)
        }
    }

    @Test(arguments: Backend.allCases)
    func unstoredTimeframeIsAClearError(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, _) async throws in
            let error = await #expect(throws: StorageError.self) {
                try await store.write(
                    BarBatch(symbol: "AMD", timeframe: Timeframe(5, .minute), bars: []), covering: nil)
            }
            #expect(error?.code == .unsupportedTimeframe)
        }
    }

    /// Live bars are partial until a fetched range completes the session; a whole-market day
    /// completes every symbol and derives the sessions without rows.
    @Test(arguments: Backend.allCases)
    func theLedgerIsWrittenWithTheBars(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, _) async throws in
            let jan2 = LedgerTests.jan2
            let day = DayRange(jan2, jan2)!
            let live = LedgerTests.minutes(30, on: jan2)
            _ = try await store.write([BarBatch(symbol: "AMD", timeframe: .minute, bars: live)])
            var entry = try #require(try await store.ledger(symbol: "AMD", range: day, listing: nil).first)
            #expect(entry.status == .partial && entry.source == .live && entry.received == 30 && entry.expected == 390)
            let whole = BarBatch(symbol: "AMD", timeframe: .minute, bars: LedgerTests.minutes(390, on: jan2, pre: 5))
            _ = try await store.write(whole, covering: day)
            entry = try #require(try await store.ledger(symbol: "AMD", range: day, listing: nil).first)
            #expect(entry.status == .complete && entry.source == .rest && entry.received == 395 && entry.regular == 390)

            let jan3 = LocalDate("2025-01-03")!
            let mark = CoverageMark(
                symbol: BarStoreSymbols.allTickers, timeframe: .minute, range: DayRange(jan3, jan3)!, source: .flatFile)
            _ = try await store.write(
                [BarBatch(symbol: "NVDA", timeframe: .minute, bars: LedgerTests.minutes(200, on: jan3))], marking: mark)
            let week = DayRange(LocalDate("2024-12-30")!, LocalDate("2025-01-10")!)!
            let nvda = try await store.ledger(symbol: "NVDA", range: week, listing: nil)
            #expect(nvda.filter { $0.status == .holiday }.map(\.session.description) == ["2025-01-01", "2025-01-09"])
            #expect(nvda.first { $0.session == jan3 }?.source == .flatFile)
            #expect(nvda.filter { $0.status == .missing }.count == 7)
            let quiet = try await store.ledger(symbol: "QUIET", range: DayRange(jan3, jan3)!, listing: nil)
            #expect(quiet.map(\.status) == [.complete])
            #expect(try await store.ledgerSymbols() == ["AMD", "NVDA"])
            #expect(try await store.ledgerSpan(symbol: "AMD") == day)
        }
    }

    @Test(arguments: Backend.allCases)
    func indicatorStateAndRunsRoundTrip(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, _) async throws in
            #expect(try await store.indicatorState(symbol: "AMD", timeframe: .minute) == nil)
            try await store.saveIndicatorState(
                symbol: "AMD", timeframe: .minute, lastMs: 5, state: Array("{\"a\":1}".utf8))
            try await store.saveIndicatorState(
                symbol: "AMD", timeframe: .minute, lastMs: 9, state: Array("{\"a\":2}".utf8))
            let saved = try #require(try await store.indicatorState(symbol: "AMD", timeframe: .minute))
            #expect(saved.lastMs == 9 && saved.state == Array("{\"a\":2}".utf8))
            let first = RunRecord(
                startedAtMs: 1, finishedAtMs: 2, status: "completed", tickers: ["AMD", "NVDA"], barsReceived: 10,
                barsChanged: 4, requests: 3, errors: [], report: "{}")
            var second = first
            second.status = "failed"
            second.errors = ["AMD 2024-01-02: timed out"]
            second.report = nil
            try await store.recordRun(first)
            try await store.recordRun(second)
            #expect(try await store.recentRuns(limit: 5) == [second, first])
        }
    }
}
