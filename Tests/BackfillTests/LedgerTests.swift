import BackfillCore
import Foundation
import GRDB
import Ingestion
import Storage
import Testing

/// The completeness ledger, written in the bars' transactions and read back per session.
@Suite("Completeness ledger")
struct LedgerTests {
    static let jan2 = LocalDate("2025-01-02")!

    /// `count` minute bars from 09:30 New York on `day` (plus `pre` pre-market minutes from 08:00).
    static func minutes(_ count: Int, on day: LocalDate, pre: Int = 0) -> [Bar] {
        let open = EasternTime.utcMilliseconds(on: day, minutesAfterMidnight: 9 * 60 + 30)
        let early = EasternTime.utcMilliseconds(on: day, minutesAfterMidnight: 8 * 60)
        return (0..<pre).map { SQLiteBarStoreTests.bars(1, start: early + Int64($0) * 60_000)[0] }
            + SQLiteBarStoreTests.bars(count, start: open)
    }

    func makeStore() throws -> (SQLiteBarStore, String) {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("ledger.sqlite").path
        return (try SQLiteBarStore(path: path), path)
    }

    @Test func liveBarsArePartialUntilAFetchedRangeCompletesTheSession() async throws {
        let (store, _) = try makeStore()
        let day = DayRange(Self.jan2, Self.jan2)!
        _ = try await store.write([BarBatch(symbol: "AMD", timeframe: .minute, bars: Self.minutes(30, on: Self.jan2))])
        var entry = try #require(try await store.ledger(symbol: "AMD", range: day, listing: nil).first)
        #expect(entry.status == .partial && entry.source == .live)
        #expect(entry.received == 30 && entry.regular == 30 && entry.expected == 390 && entry.gapMinutes == 360)

        let whole = BarBatch(symbol: "AMD", timeframe: .minute, bars: Self.minutes(390, on: Self.jan2, pre: 5))
        _ = try await store.write(whole, covering: day)
        entry = try #require(try await store.ledger(symbol: "AMD", range: day, listing: nil).first)
        #expect(entry.status == .complete && entry.source == .rest)
        #expect(entry.received == 395 && entry.regular == 390 && entry.gapMinutes == 0)

        // A late live bar on a complete session recounts but keeps the status and the source.
        let late = Self.minutes(1, on: Self.jan2, pre: 0).map { bar -> Bar in
            var bar = bar
            bar.windowStartMs = EasternTime.utcMilliseconds(on: Self.jan2, minutesAfterMidnight: 17 * 60)
            return bar
        }
        _ = try await store.write([BarBatch(symbol: "AMD", timeframe: .minute, bars: late)])
        entry = try #require(try await store.ledger(symbol: "AMD", range: day, listing: nil).first)
        #expect(entry.status == .complete && entry.source == .rest && entry.received == 396)
    }

    @Test func aWholeMarketDayCompletesEverySymbolAndDerivesTheRest() async throws {
        let (store, _) = try makeStore()
        let jan3 = LocalDate("2025-01-03")!
        let batches = [
            BarBatch(symbol: "AMD", timeframe: .minute, bars: Self.minutes(200, on: jan3)),
            BarBatch(symbol: "NVDA", timeframe: .minute, bars: Self.minutes(390, on: jan3)),
        ]
        let mark = CoverageMark(
            symbol: BarStoreSymbols.allTickers, timeframe: .minute, range: DayRange(jan3, jan3)!, source: .flatFile)
        _ = try await store.write(batches, marking: mark)
        let week = DayRange(LocalDate("2024-12-30")!, LocalDate("2025-01-10")!)!
        let amd = try await store.ledger(symbol: "AMD", range: week, listing: nil)
        // Weekdays only: 12-30 … 01-10 is 10 weekdays; 01-01 and 01-09 were closed.
        #expect(
            amd.map(\.session.description) == [
                "2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07",
                "2025-01-08", "2025-01-09", "2025-01-10",
            ])
        #expect(amd.filter { $0.status == .holiday }.map(\.session.description) == ["2025-01-01", "2025-01-09"])
        let jan3AMD = try #require(amd.first { $0.session == jan3 })
        #expect(jan3AMD.status == .complete && jan3AMD.source == .flatFile && jan3AMD.received == 200)
        #expect(amd.filter { $0.status == .missing }.count == 7)
        // A symbol absent from the day file: fetched (nothing traded), not missing.
        let quiet = try #require(
            try await store.ledger(symbol: "QUIET", range: DayRange(jan3, jan3)!, listing: nil).first)
        #expect(quiet.status == .complete && quiet.received == 0 && quiet.source == nil)
        // Before its listing, a session is not listed rather than missing.
        let listed = try await store.ledger(
            symbol: "AMD", range: week, listing: DayRange(jan3, LocalDate("2030-01-01")!))
        #expect(listed.filter { $0.status == .notListed }.count == 3)
        #expect(listed.filter { $0.status == .missing }.count == 4)
        #expect(try await store.ledgerSymbols() == ["AMD", "NVDA"])
    }

    @Test func repairRangesGroupConsecutiveSessionsAcrossHolidays() async throws {
        let (store, _) = try makeStore()
        let jan6 = LocalDate("2025-01-06")!
        _ = try await store.write(
            BarBatch(symbol: "AMD", timeframe: .minute, bars: Self.minutes(390, on: jan6)),
            covering: DayRange(jan6, jan6)!)
        let range = DayRange(LocalDate("2025-01-02")!, LocalDate("2025-01-14")!)!
        let report = try await CompletenessReport.make(store: store, symbols: ["AMD"], range: range)
        let ranges = report.repairRanges(before: LocalDate("2025-01-13")!).map { "\($0.symbol) \($0.range)" }
        // 01-02…01-03 missing, 01-06 complete, 01-07…01-10 missing across the 01-09 closure, then
        // 01-13 onwards is today or later and not repaired.
        #expect(ranges.count == 2)
        #expect(ranges.first?.hasPrefix("AMD 2025-01-02") == true && ranges.last?.hasPrefix("AMD 2025-01-07") == true)
        #expect(report.csv().split(separator: "\n").count == 10)
    }

    @Test func anOlderDatabaseGetsItsLedgerBuiltFromTheStoredBars() async throws {
        let (store, path) = try makeStore()
        let day = DayRange(Self.jan2, LocalDate("2025-01-03")!)!
        _ = try await store.write(
            BarBatch(
                symbol: "AMD", timeframe: .minute,
                bars: Self.minutes(390, on: Self.jan2) + Self.minutes(100, on: LocalDate("2025-01-03")!, pre: 3)),
            covering: DayRange(Self.jan2, Self.jan2)!)
        let before = try await store.ledger(symbol: "AMD", range: day, listing: nil)
        // Turn it into a database from before the ledger, then open it again.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "DROP TABLE ledger; DELETE FROM grdb_migrations WHERE identifier = 'v5-ledger'")
        }
        try queue.close()
        let reopened = try SQLiteBarStore(path: path)
        let after = try await reopened.ledger(symbol: "AMD", range: day, listing: nil)
        #expect(after == before)
        #expect(after.map(\.status) == [.complete, .partial] && after.last?.received == 103)
    }
}
