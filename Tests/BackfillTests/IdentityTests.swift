import BackfillCore
import Foundation
import GRDB
import Storage
import Testing

/// Security identity in the store: point-in-time names, merging a renamed ticker's rows, reuse.
@Suite("Security identity")
struct IdentityTests {
    static func day(_ text: String) -> LocalDate { TestSupport.date(text) }

    /// One daily bar per date, priced from `base` so two writers can disagree.
    static func dailyBars(_ dates: [String], base: Double) -> [Bar] {
        dates.enumerated().map { index, text in
            let price = base + Double(index)
            return Bar(
                windowStartMs: EasternTime.utcMilliseconds(on: day(text), minutesAfterMidnight: 0), open: price,
                high: price + 1, low: price - 1, close: price, volume: 1_000, vwap: price, transactions: 10)
        }
    }

    static let meta = SecurityIdentity(
        compositeFIGI: "BBG000MM2P62", cik: "0001326801", name: "Meta Platforms", type: "CS", active: true,
        listDate: day("2012-05-18"),
        names: [
            TickerName(ticker: "FB", first: day("2012-05-18"), last: day("2022-06-08")),
            TickerName(ticker: "META", first: day("2022-06-09"), last: nil),
        ])

    static func store() throws -> (SQLiteBarStore, String) {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("identity.sqlite").path
        return (try SQLiteBarStore(path: path), path)
    }

    static func count(_ path: String, _ sql: String) throws -> Int {
        try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: sql) ?? -1 }
    }

    @Test func renamedTickerMergesIntoOneSeriesOnceAndKeepsOneRowPerTime() async throws {
        let (store, path) = try Self.store()
        let fbDays = ["2022-06-06", "2022-06-07", "2022-06-08"]
        let metaDays = ["2022-06-09", "2022-06-10"]
        _ = try await store.write(
            BarBatch(symbol: "FB", timeframe: .day, bars: Self.dailyBars(fbDays, base: 100)),
            covering: DayRange(Self.day("2022-06-06"), Self.day("2022-06-08")))
        // META's writer also stored 06-08 (with other prices): after the merge that time exists once.
        _ = try await store.write(
            BarBatch(symbol: "META", timeframe: .day, bars: Self.dailyBars(["2022-06-08"] + metaDays, base: 200)),
            covering: DayRange(Self.day("2022-06-09"), Self.day("2022-06-10")))
        #expect(try Self.count(path, "SELECT COUNT(*) FROM securities") == 2)

        let outcome = try await store.saveSecurity(Self.meta, marking: nil)
        #expect(outcome.merged == 1 && outcome.movedBars == 2 && outcome.changed)
        #expect(try Self.count(path, "SELECT COUNT(*) FROM securities") == 1)
        let series = try await store.bars(symbol: "META", timeframe: .day, fromMs: 0, toMs: .max, limit: 100)
        #expect(series.count == 5)
        #expect(series.map(\.close) == [100, 101, 200, 201, 202], "FB's history, then META's; 06-08 kept once")
        #expect(try await store.bars(symbol: "FB", timeframe: .day, fromMs: 0, toMs: .max, limit: 100) == series)
        #expect(
            try await store.coverage(symbol: "META", timeframe: .day) == [
                DayRange(Self.day("2022-06-06"), Self.day("2022-06-10"))!
            ])
        let byTicker = try await DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT ticker, c FROM bars_day_by_ticker ORDER BY t").map {
                "\($0[0] as String) \($0[1] as Double)"
            }
        }
        #expect(byTicker == ["FB 100.0", "FB 101.0", "FB 200.0", "META 201.0", "META 202.0"])

        let before = try TestSupport.contents(ofDatabase: path)
        let again = try await store.saveSecurity(Self.meta, marking: nil)
        #expect(again == IdentityOutcome(securityID: outcome.securityID, merged: 0, movedBars: 0, changed: false))
        #expect(try TestSupport.contents(ofDatabase: path) == before)
        // A later write under the old name lands on the same security, by its date.
        _ = try await store.write(
            BarBatch(symbol: "FB", timeframe: .day, bars: Self.dailyBars(["2022-06-03"], base: 99)), covering: nil)
        #expect(try Self.count(path, "SELECT COUNT(*) FROM securities") == 1)
        #expect(try await store.bars(symbol: "META", timeframe: .day, fromMs: 0, toMs: .max, limit: 100).count == 6)
    }

    @Test func aReusedTickerResolvesByDate() async throws {
        let (store, path) = try Self.store()
        // Before 2022 "META" was another security (an ETF), delisted in 2021.
        _ = try await store.write(
            BarBatch(symbol: "META", timeframe: .day, bars: Self.dailyBars(["2020-03-02", "2020-03-03"], base: 20)),
            covering: nil)
        let etf = SecurityIdentity(
            compositeFIGI: "BBG00ETF0001", name: "Roundhill metaverse ETF", type: "ETF", active: false,
            delistDate: Self.day("2021-12-31"),
            names: [TickerName(ticker: "META", first: Self.day("2015-01-02"), last: Self.day("2021-12-31"))])
        let etfID = try await store.saveSecurity(etf, marking: nil).securityID
        let metaID = try await store.saveSecurity(Self.meta, marking: nil).securityID
        #expect(etfID != metaID)
        _ = try await store.write(
            BarBatch(symbol: "META", timeframe: .day, bars: Self.dailyBars(["2023-03-01"], base: 180)), covering: nil)
        _ = try await store.write(
            BarBatch(symbol: "META", timeframe: .day, bars: Self.dailyBars(["2020-03-04"], base: 22)), covering: nil)
        let ids = try await DatabaseQueue(path: path).read { db in
            try Int64.fetchAll(db, sql: "SELECT security_id FROM bars_day ORDER BY t")
        }
        #expect(ids == [etfID, etfID, etfID, metaID])
        // The chart of META is Meta's; SQL by ticker sees both holders, each in its own time.
        #expect(
            try await store.bars(symbol: "META", timeframe: .day, fromMs: 0, toMs: .max, limit: 10).map(\.close)
                == [180])
        #expect(try Self.count(path, "SELECT COUNT(*) FROM bars_day_by_ticker WHERE ticker = 'META'") == 4)
        let stored = try #require(try await store.security(ticker: "META"))
        #expect(
            stored.identity.compositeFIGI == "BBG000MM2P62" && stored.identity.names.map(\.ticker) == ["FB", "META"])
    }

    @Test func migratedDatabaseKeepsEveryBarVisibleByTicker() async throws {
        let (store, path) = try Self.store()
        for (ticker, base) in [("AMD", 10.0), ("NVDA", 20.0)] {
            _ = try await store.write(
                BarBatch(
                    symbol: ticker, timeframe: .day, bars: Self.dailyBars(["2025-01-06", "2025-01-07"], base: base)),
                covering: nil)
        }
        #expect(try Self.count(path, "SELECT COUNT(*) FROM bars_day_by_ticker") == 4)
        #expect(try Self.count(path, "SELECT COUNT(*) FROM ticker_names") == 2)
        let inventory = try await store.inventory()
        #expect(inventory.map(\.symbol) == ["AMD", "NVDA"] && inventory.allSatisfy { $0.delistedOn == nil })
    }
}
