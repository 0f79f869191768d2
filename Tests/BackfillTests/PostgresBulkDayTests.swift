import BackfillCore
import Foundation
import PostgresStore
import Storage
import Testing

/// The COPY bulk path for a whole-market day: the same content as the SQLite store's one-transaction
/// write of the same batches, idempotent, and never a marked day without its bars.
@Suite("PostgreSQL bulk day (COPY)")
struct PostgresBulkDayTests {
    static let day = LocalDate("2025-01-03")!

    /// `tickers` symbols with different minute counts (pre-market for some), one day.
    static func batches(_ tickers: Int) -> [BarBatch] {
        (0..<tickers).map { index in
            var bars = LedgerTests.minutes(20 + index * 7, on: day, pre: index % 3)
            if index % 4 == 0 { bars[0].vwap = nil }
            if index % 5 == 0 { bars[1].transactions = nil }
            return BarBatch(symbol: "T\(index)", timeframe: .minute, bars: bars)
        }
    }

    @Test func aDayInParallelPartsStoresWhatOneSQLiteTransactionStores() async throws {
        let batches = Self.batches(40)
        let total = batches.reduce(0) { $0 + $1.bars.count }
        let sqlite = try SQLiteBarStore(
            path: try TestSupport.temporaryDirectory().appendingPathComponent("day.sqlite").path)
        let mark = CoverageMark(
            symbol: BarStoreSymbols.allTickers, timeframe: .minute, range: DayRange(Self.day, Self.day)!,
            source: .flatFile)
        #expect(try await sqlite.write(batches, marking: mark) == WriteOutcome(received: total, changed: total))
        try await PostgresTestSupport.withStore { (postgres) async throws in
            // A ticker already stored keeps its security: the bulk path resolves, not duplicates.
            _ = try await postgres.write(batches[3], covering: nil)
            _ = try await sqlite.write(batches[3], covering: nil)
            // Parts of 4 KB: about 25 parts over 3 connections.
            let bulk = PostgresBulkDay(store: postgres, configuration: .init(partBytes: 4_096, parallelism: 3))
            let outcome = try await bulk.write(day: Self.day, batches: batches)
            #expect(outcome == WriteOutcome(received: total, changed: total - batches[3].bars.count))
            #expect(try await bulk.write(day: Self.day, batches: batches).changed == 0)
            var changed = batches
            changed[7].bars[2].close += 0.5
            #expect(try await bulk.write(day: Self.day, batches: changed).changed == 1)
            _ = try await sqlite.write(changed, marking: mark)

            #expect(try await postgres.inventory() == sqlite.inventory())
            let range = DayRange(Self.day.adding(days: -1), Self.day)!
            for batch in changed {
                let symbol = batch.symbol
                #expect(
                    try await postgres.bars(symbol: symbol, timeframe: .minute, fromMs: 0, toMs: .max, limit: 10_000)
                        == batch.bars)
                #expect(
                    try await postgres.ledger(symbol: symbol, range: range, listing: nil)
                        == sqlite.ledger(symbol: symbol, range: range, listing: nil))
            }
            #expect(
                try await postgres.coverage(symbol: BarStoreSymbols.allTickers, timeframe: .minute)
                    == [DayRange(Self.day, Self.day)!])
        }
    }

    /// One bad bar fails the day: it is not marked fetched, and a corrected re-run completes it.
    @Test func aFailedPartLeavesTheDayUnmarked() async throws {
        try await PostgresTestSupport.withStore { (postgres) async throws in
            var batches = Self.batches(12)
            let good = batches[11].bars[5]
            batches[11].bars[5].high = .infinity
            let bulk = PostgresBulkDay(store: postgres, configuration: .init(partBytes: 1_024, parallelism: 2))
            await #expect(throws: StorageError.self) { try await bulk.write(day: Self.day, batches: batches) }
            #expect(try await postgres.coverage(symbol: BarStoreSymbols.allTickers, timeframe: .minute).isEmpty)
            batches[11].bars[5] = good
            let total = batches.reduce(0) { $0 + $1.bars.count }
            #expect(try await bulk.write(day: Self.day, batches: batches).received == total)
            #expect(try await postgres.inventory().map(\.bars).reduce(0, +) == total)
            #expect(try await postgres.coverage(symbol: BarStoreSymbols.allTickers, timeframe: .minute).count == 1)
        }
    }

    @Test func aDayWithoutASessionIsRefused() async throws {
        try await PostgresTestSupport.withStore { (postgres) async throws in
            let holiday = LocalDate("2025-01-01")!
            let error = await #expect(throws: StorageError.self) {
                try await PostgresBulkDay(store: postgres).write(day: holiday, batches: Self.batches(1))
            }
            #expect(error?.message.contains("2025-01-01 is not a trading session") == true)
        }
    }
}
