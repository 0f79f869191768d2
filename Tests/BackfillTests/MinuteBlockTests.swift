import BackfillCore
import Foundation
import GRDB
import Storage
import Testing

/// Minute bars packed per (security, New York day): the codec, where each write lands, and reads
/// that merge packed days with unpacked live rows.
@Suite("Minute blocks")
struct MinuteBlockTests {
    /// 2025-01-02 09:30 ET and 2025-01-03 09:30 ET.
    static let day1Open: Int64 = 1_735_828_200_000
    static let day2Open: Int64 = day1Open + 86_400_000

    static func store() throws -> (SQLiteBarStore, String) {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("blocks.sqlite").path
        return (try SQLiteBarStore(path: path), path)
    }

    static func count(_ path: String, _ sql: String) throws -> Int {
        try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: sql) ?? -1 }
    }

    static func ledgerReceived(_ path: String, _ session: String) throws -> Int {
        try count(path, "SELECT received FROM ledger WHERE session = '\(session)'")
    }

    @Test func aBlockRoundTripsEveryFieldAndRejectsForeignBytes() async throws {
        var bars = SQLiteBarStoreTests.bars(390, start: Self.day1Open)
        bars[3].vwap = nil
        bars[4].transactions = nil
        bars[5].volume = 0.125
        let data = Data(try await blockBytes(bars))
        #expect(try MinuteBlock.decode(data) == bars)
        #expect(data.count == 8 + 64 * 390)
        // Cut short, or another version: a clear error, never garbage bars.
        #expect(throws: StorageError.self) { try MinuteBlock.decode(data.prefix(data.count - 8)) }
        var other = data
        other[0] = 9
        let error = #expect(throws: StorageError.self) { try MinuteBlock.decode(other) }
        #expect(error?.description.contains("version 9") == true)
    }

    /// The bytes a store writes for `bars`, read back from a real database.
    func blockBytes(_ bars: [Bar]) async throws -> [UInt8] {
        let (store, path) = try Self.store()
        _ = try await store.write(BarBatch(symbol: "AMD", timeframe: .minute, bars: bars), covering: nil)
        return try await DatabaseQueue(path: path).read {
            try [UInt8](Data.fetchOne($0, sql: "SELECT bars FROM minute_blocks") ?? Data())
        }
    }

    @Test func aWriteSpanningTwoDaysMakesOneBlockPerDayAndNoRows() async throws {
        let (store, path) = try Self.store()
        let bars =
            SQLiteBarStoreTests.bars(390, start: Self.day1Open) + SQLiteBarStoreTests.bars(5, start: Self.day2Open)
        #expect(
            try await store.write(BarBatch(symbol: "AMD", timeframe: .minute, bars: bars), covering: nil).changed == 395
        )
        #expect(try Self.count(path, "SELECT COUNT(*) FROM minute_blocks") == 2)
        #expect(try Self.count(path, "SELECT COUNT(*) FROM bars_minute") == 0)
        #expect(try Self.count(path, "SELECT minutes FROM minute_days_by_ticker WHERE day = '2025-01-03'") == 5)
        #expect(try Self.ledgerReceived(path, "2025-01-02") == 390)
        // Read back whole, by an inner range (bounds inclusive), and with a limit across the two days.
        #expect(try await store.bars(symbol: "AMD", timeframe: .minute, fromMs: 0, toMs: .max, limit: 1_000) == bars)
        let inner = try await store.bars(
            symbol: "AMD", timeframe: .minute, fromMs: bars[389].windowStartMs, toMs: bars[391].windowStartMs, limit: 10
        )
        #expect(inner == Array(bars[389...391]))
        #expect(
            try await store.bars(symbol: "AMD", timeframe: .minute, fromMs: 0, toMs: .max, limit: 392)
                == Array(bars.prefix(392)))
    }

    @Test func liveMinutesOfANewDayAreRowsThatABackfillOfTheDayTakesIn() async throws {
        let (store, path) = try Self.store()
        let day = SQLiteBarStoreTests.bars(390, start: Self.day1Open)
        // Live sends the first ten minutes, the tenth twice with a late trade.
        _ = try await store.write(
            [BarBatch(symbol: "AMD", timeframe: .minute, bars: Array(day.prefix(10)))], source: .live)
        var late = day[9]
        late.volume += 100
        #expect(
            try await store.write([BarBatch(symbol: "AMD", timeframe: .minute, bars: [late])], source: .live).changed
                == 1)
        #expect(try Self.count(path, "SELECT COUNT(*) FROM bars_minute") == 10)
        #expect(try Self.count(path, "SELECT COUNT(*) FROM minute_blocks") == 0)
        #expect(try Self.ledgerReceived(path, "2025-01-02") == 10)
        var expected = day
        expected[9] = late
        #expect(
            try await store.bars(symbol: "AMD", timeframe: .minute, fromMs: 0, toMs: .max, limit: 20)
                == Array(expected.prefix(10)))
        // The day's backfill (minutes 5...389) packs the day: the rows move into the block, the
        // backfill's values win where both have a minute (380 new minutes, and the late trade's minute).
        let backfill = Array(day[5...])
        #expect(
            try await store.write(BarBatch(symbol: "AMD", timeframe: .minute, bars: backfill), covering: nil).changed
                == 381)
        #expect(try Self.count(path, "SELECT COUNT(*) FROM bars_minute") == 0)
        #expect(try Self.count(path, "SELECT count FROM minute_blocks") == 390)
        #expect(try Self.ledgerReceived(path, "2025-01-02") == 390)
        #expect(try await store.bars(symbol: "AMD", timeframe: .minute, fromMs: 0, toMs: .max, limit: 1_000) == day)
    }

    @Test func aLiveMinuteOfAPackedDayGoesIntoItsBlock() async throws {
        let (store, path) = try Self.store()
        let day = SQLiteBarStoreTests.bars(100, start: Self.day1Open)
        _ = try await store.write(BarBatch(symbol: "AMD", timeframe: .minute, bars: day), covering: nil)
        var resent = day[50]
        resent.close += 1
        var next = day[99]
        next.windowStartMs += 60_000
        let outcome = try await store.write(
            [BarBatch(symbol: "AMD", timeframe: .minute, bars: [resent, next])], source: .live)
        #expect(outcome.changed == 2)
        // Unchanged minutes sent again change nothing.
        #expect(
            try await store.write([BarBatch(symbol: "AMD", timeframe: .minute, bars: [resent])], source: .live).changed
                == 0)
        #expect(try Self.count(path, "SELECT COUNT(*) FROM bars_minute") == 0)
        #expect(try Self.count(path, "SELECT count FROM minute_blocks") == 101)
        #expect(try Self.ledgerReceived(path, "2025-01-02") == 101)
        let stored = try await store.bars(symbol: "AMD", timeframe: .minute, fromMs: 0, toMs: .max, limit: 1_000)
        #expect(stored[50] == resent && stored.last == next && stored.count == 101)
    }

    @Test func packingFinishedLiveDaysKeepsEveryMinuteAndTheLedger() async throws {
        let (store, path) = try Self.store()
        let first = SQLiteBarStoreTests.bars(30, start: Self.day1Open)
        let second = SQLiteBarStoreTests.bars(20, start: Self.day2Open)
        _ = try await store.write([BarBatch(symbol: "AMD", timeframe: .minute, bars: first + second)], source: .live)
        #expect(try await store.packLiveMinutes(before: TestSupport.date("2025-01-03")) == 1)
        #expect(try Self.count(path, "SELECT COUNT(*) FROM bars_minute") == 20)
        #expect(try Self.count(path, "SELECT count FROM minute_blocks") == 30)
        #expect(try Self.ledgerReceived(path, "2025-01-02") == 30)
        #expect(
            try await store.bars(symbol: "AMD", timeframe: .minute, fromMs: 0, toMs: .max, limit: 100) == first + second
        )
        let inventory = try await store.inventory().first { $0.timeframe == "1m" }
        #expect(
            inventory?.bars == 50 && inventory?.firstMs == first[0].windowStartMs
                && inventory?.lastMs == second.last?.windowStartMs)
    }

    @Test func aNonFinitePriceFailsTheWholeWrite() async throws {
        let (store, path) = try Self.store()
        var bars = SQLiteBarStoreTests.bars(10, start: Self.day1Open)
        bars[7].high = .infinity
        await #expect(throws: StorageError.self) {
            try await store.write(BarBatch(symbol: "AMD", timeframe: .minute, bars: bars), covering: nil)
        }
        #expect(try Self.count(path, TestSupport.storedMinutesSQL) == 0)
    }

    @Test func aVersion2DatabasesMinuteRowsArePackedByTheMigration() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("v2.sqlite").path
        let bars =
            SQLiteBarStoreTests.bars(390, start: Self.day1Open) + SQLiteBarStoreTests.bars(3, start: Self.day2Open)
        let old = try DatabaseQueue(path: path)
        try await old.write { db in
            try db.execute(sql: IdentityMigrationTests.v2Schema)
            try db.execute(sql: "INSERT INTO securities VALUES (1, 'AMD')")
            for bar in bars {
                try db.execute(
                    sql: "INSERT INTO bars_minute VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        bar.windowStartMs, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.vwap,
                        bar.transactions,
                    ])
            }
        }
        try old.close()
        let store = try SQLiteBarStore(path: path)
        #expect(try Self.count(path, "SELECT COUNT(*) FROM bars_minute") == 0)
        #expect(try Self.count(path, "SELECT COUNT(*) FROM minute_blocks") == 2)
        #expect(try Self.ledgerReceived(path, "2025-01-03") == 3)
        #expect(try await store.bars(symbol: "AMD", timeframe: .minute, fromMs: 0, toMs: .max, limit: 1_000) == bars)
    }
}
