import BackfillCore
import Foundation
import GRDB
import Storage
import Testing

/// The SQLite store on a real file.
@Suite("SQLite bar store")
struct SQLiteBarStoreTests {
    static func bars(_ count: Int, start: Int64 = 1_735_828_200_000) -> [Bar] {
        (0..<count).map { i in
            let p = 100 + Double(i) * 0.01
            return Bar(
                windowStartMs: start + Int64(i) * 60_000, open: p, high: p + 0.5, low: p - 0.5, close: p + 0.1,
                volume: 1_000 + Double(i), vwap: p, transactions: Int64(i % 7))
        }
    }

    func makeStore() throws -> (SQLiteBarStore, String) {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("store.sqlite").path
        return (try SQLiteBarStore(path: path), path)
    }

    @Test func aNewDatabaseHasLargePagesInWALAndAnOldOneKeepsItsOwn() async throws {
        let (store, path) = try makeStore()
        _ = try await store.write(BarBatch(symbol: "AMD", timeframe: .minute, bars: Self.bars(10)), covering: nil)
        let queue = try DatabaseQueue(path: path)
        let (pageSize, mode) = try await queue.read {
            (try Int.fetchOne($0, sql: "PRAGMA page_size"), try String.fetchOne($0, sql: "PRAGMA journal_mode"))
        }
        #expect(pageSize == 16_384 && mode == "wal")
        // A database made elsewhere with SQLite's default pages opens and works as it is.
        let other = try TestSupport.temporaryDirectory().appendingPathComponent("small-pages.sqlite").path
        let plain = try DatabaseQueue(path: other)
        try await plain.write { try $0.execute(sql: "CREATE TABLE unrelated (x INTEGER)") }
        try plain.close()
        let reopened = try SQLiteBarStore(path: other)
        #expect(
            try await reopened.write(BarBatch(symbol: "AMD", timeframe: .minute, bars: Self.bars(5)), covering: nil)
                .changed == 5)
        let small = try DatabaseQueue(path: other)
        #expect(try await small.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == 4_096)
    }

    @Test func upsertIsIdempotentAndReportsOnlyRealChanges() async throws {
        let (store, _) = try makeStore()
        var batch = BarBatch(symbol: "AMD", timeframe: .minute, bars: Self.bars(500))
        #expect(try await store.write(batch, covering: nil) == WriteOutcome(received: 500, changed: 500))
        #expect(try await store.write(batch, covering: nil) == WriteOutcome(received: 500, changed: 0))
        batch.bars[17].close += 0.25
        batch.bars[18].transactions = nil
        #expect(try await store.write(batch, covering: nil).changed == 2)
        let stored = try await store.bars(symbol: "AMD", timeframe: .minute, fromMs: 0, toMs: .max, limit: 10_000)
        #expect(stored == batch.bars)
    }

    @Test func symbolsAndTimeframesAreKeptApart() async throws {
        let (store, _) = try makeStore()
        _ = try await store.write(BarBatch(symbol: "TpC", timeframe: .minute, bars: Self.bars(10)), covering: nil)
        _ = try await store.write(BarBatch(symbol: "TPC", timeframe: .minute, bars: Self.bars(20)), covering: nil)
        _ = try await store.write(BarBatch(symbol: "TPC", timeframe: .day, bars: Self.bars(3)), covering: nil)
        let inventory = try await store.inventory()
        #expect(inventory.map { "\($0.symbol) \($0.timeframe) \($0.bars)" } == ["TPC 1d 3", "TPC 1m 20", "TpC 1m 10"])
    }

    @Test func coverageMergesAndIsReadBack() async throws {
        let (store, _) = try makeStore()
        let empty = BarBatch(symbol: "AMD", timeframe: .day, bars: [])
        _ = try await store.write(empty, covering: TestSupport.range("2024-01-01", "2024-01-31"))
        _ = try await store.write(empty, covering: TestSupport.range("2024-03-01", "2024-03-31"))
        _ = try await store.write(empty, covering: TestSupport.range("2024-02-01", "2024-02-10"))
        #expect(
            try await store.coverage(symbol: "AMD", timeframe: .day)
                == [TestSupport.range("2024-01-01", "2024-02-10"), TestSupport.range("2024-03-01", "2024-03-31")])
        #expect(try await store.coverage(symbol: "AMD", timeframe: .minute).isEmpty)
        #expect(try await store.coverage(symbol: "NVDA", timeframe: .day).isEmpty)
    }

    /// A failure halfway through a batch stores none of it and marks nothing covered.
    @Test func aFailedBatchLeavesNothingBehind() async throws {
        let (store, path) = try makeStore()
        var bars = Self.bars(1_000)
        bars[600].open = .nan  // SQLite stores NaN as NULL, which the NOT NULL column refuses
        await #expect(throws: StorageError.self) {
            try await store.write(
                BarBatch(symbol: "AMD", timeframe: .minute, bars: bars),
                covering: TestSupport.range("2025-01-02", "2025-01-02"))
        }
        #expect(try TestSupport.contents(ofDatabase: path).isEmpty)
        #expect(try await store.coverage(symbol: "AMD", timeframe: .minute).isEmpty)
    }

    /// A day of many symbols is one transaction: all stored, or (one bad bar) none.
    @Test func manySymbolsAreWrittenAllOrNothing() async throws {
        let (store, path) = try makeStore()
        let batches = (0..<50).map { BarBatch(symbol: "S\($0)", timeframe: .minute, bars: Self.bars(130)) }
        #expect(try await store.write(batches) == WriteOutcome(received: 6_500, changed: 6_500))
        #expect(try await store.write(batches).changed == 0)
        var broken = batches.map { batch -> BarBatch in
            var copy = batch
            copy.bars = copy.bars.map {
                var bar = $0; bar.close += 1; return bar
            }
            return copy
        }
        broken[49].bars[100].volume = .infinity
        await #expect(throws: StorageError.self) { try await store.write(broken) }
        let stored = try await store.bars(symbol: "S0", timeframe: .minute, fromMs: 0, toMs: .max, limit: 1_000)
        #expect(stored == Self.bars(130), "the first symbol's update was rolled back with the last one's")
        #expect(try TestSupport.contents(ofDatabase: path).filter { $0.hasPrefix("bars_") }.count == 6_500)
    }

    @Test func unstoredTimeframeIsAClearError() async throws {
        let (store, _) = try makeStore()
        let error = await #expect(throws: StorageError.self) {
            try await store.write(BarBatch(symbol: "AMD", timeframe: Timeframe(5, .minute), bars: []), covering: nil)
        }
        #expect(error?.code == .unsupportedTimeframe)
    }

    @Test func databaseIsInWALModeAndViewsWork() async throws {
        let (store, path) = try makeStore()
        _ = try await store.write(BarBatch(symbol: "AMD", timeframe: .day, bars: Self.bars(2)), covering: nil)
        let queue = try DatabaseQueue(path: path)
        let mode = try await queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let tickers = try await queue.read {
            try String.fetchAll($0, sql: "SELECT DISTINCT ticker FROM bars_day_by_ticker")
        }
        #expect(tickers == ["AMD"])
    }

    @Test func unopenablePathNamesThePath() {
        let error = #expect(throws: StorageError.self) {
            _ = try SQLiteBarStore(path: "/nonexistent-dir/sub/x.sqlite")
        }
        #expect(error?.code == .cannotOpen && error?.message.contains("/nonexistent-dir/sub/x.sqlite") == true)
    }
}
