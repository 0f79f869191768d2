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
        // A whole-market day (flat file, grouped daily) resolves each ticker by the day's date too.
        _ = try await store.write(
            [BarBatch(symbol: "META", timeframe: .day, bars: Self.dailyBars(["2020-03-05"], base: 23))], marking: nil)
        let ids = try await DatabaseQueue(path: path).read { db in
            try Int64.fetchAll(db, sql: "SELECT security_id FROM bars_day ORDER BY t")
        }
        #expect(ids == [etfID, etfID, etfID, etfID, metaID])
        // The chart of META is Meta's; SQL by ticker sees both holders, each in its own time.
        #expect(
            try await store.bars(symbol: "META", timeframe: .day, fromMs: 0, toMs: .max, limit: 10).map(\.close)
                == [180])
        #expect(try Self.count(path, "SELECT COUNT(*) FROM bars_day_by_ticker WHERE ticker = 'META'") == 5)
        let stored = try #require(try await store.security(ticker: "META"))
        #expect(
            stored.identity.compositeFIGI == "BBG000MM2P62" && stored.identity.names.map(\.ticker) == ["FB", "META"])
    }

    @Test func aTickerReusedAfterADelistingStartsANewSecurity() async throws {
        let (store, path) = try Self.store()
        _ = try await store.write(
            BarBatch(symbol: "XYZ", timeframe: .day, bars: Self.dailyBars(["2014-03-03"], base: 10)), covering: nil)
        let old = SecurityIdentity(
            compositeFIGI: "BBG00OLDXYZ1", active: false, delistDate: Self.day("2015-06-30"),
            names: [TickerName(ticker: "XYZ", first: Self.day("2010-01-04"), last: Self.day("2015-06-30"))])
        let oldID = try await store.saveSecurity(old, marking: nil).securityID
        // Two days late (a delisting date reported early) still belongs to the old holder; 2020 does not.
        _ = try await store.write(
            BarBatch(symbol: "XYZ", timeframe: .day, bars: Self.dailyBars(["2015-07-02"], base: 11)), covering: nil)
        _ = try await store.write(
            [BarBatch(symbol: "XYZ", timeframe: .day, bars: Self.dailyBars(["2020-03-02", "2020-03-03"], base: 50))],
            marking: nil)
        let ids = try await DatabaseQueue(path: path).read { db in
            try Int64.fetchAll(db, sql: "SELECT security_id FROM bars_day ORDER BY t")
        }
        #expect(ids.prefix(2) == [oldID, oldID] && ids.count == 4 && ids[2] != oldID && ids[2] == ids[3])
        #expect(
            try await store.bars(symbol: "XYZ", timeframe: .day, fromMs: 0, toMs: .max, limit: 10).map(\.close)
                == [50, 51], "the ticker's current holder")
        #expect(try Self.count(path, "SELECT COUNT(*) FROM bars_day_by_ticker WHERE ticker = 'XYZ'") == 4)
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

/// A database written before migration v3 (one `securities` row per ticker string) keeps every row.
@Suite("Identity migration")
struct IdentityMigrationTests {
    /// The v1 and v2 schema as shipped before issue 5, with GRDB's record of both migrations.
    static let v2Schema = """
        CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
        INSERT INTO grdb_migrations VALUES ('v1-bars-coverage-runs'), ('v2-indicator-state');
        CREATE TABLE securities (id INTEGER PRIMARY KEY, ticker TEXT NOT NULL UNIQUE);
        CREATE TABLE bars_day (
            security_id INTEGER NOT NULL REFERENCES securities(id), t INTEGER NOT NULL,
            o REAL NOT NULL, h REAL NOT NULL, l REAL NOT NULL, c REAL NOT NULL, v REAL NOT NULL, vw REAL, n INTEGER,
            PRIMARY KEY (security_id, t)) WITHOUT ROWID;
        CREATE TABLE bars_minute (
            security_id INTEGER NOT NULL REFERENCES securities(id), t INTEGER NOT NULL,
            o REAL NOT NULL, h REAL NOT NULL, l REAL NOT NULL, c REAL NOT NULL, v REAL NOT NULL, vw REAL, n INTEGER,
            PRIMARY KEY (security_id, t)) WITHOUT ROWID;
        CREATE TABLE coverage (
            security_id INTEGER NOT NULL REFERENCES securities(id), timeframe TEXT NOT NULL,
            first_day TEXT NOT NULL, last_day TEXT NOT NULL, PRIMARY KEY (security_id, timeframe, first_day));
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY, started_at_ms INTEGER NOT NULL, finished_at_ms INTEGER NOT NULL,
            status TEXT NOT NULL, tickers TEXT NOT NULL, bars_received INTEGER NOT NULL,
            bars_changed INTEGER NOT NULL, requests INTEGER NOT NULL, errors TEXT NOT NULL);
        CREATE VIEW bars_minute_by_ticker AS SELECT s.ticker, b.t, b.o, b.h, b.l, b.c, b.v, b.vw, b.n
            FROM bars_minute b JOIN securities s ON s.id = b.security_id;
        CREATE VIEW bars_day_by_ticker AS SELECT s.ticker, b.t, b.o, b.h, b.l, b.c, b.v, b.vw, b.n
            FROM bars_day b JOIN securities s ON s.id = b.security_id;
        CREATE TABLE indicator_state (
            security_id INTEGER NOT NULL REFERENCES securities(id), timeframe TEXT NOT NULL,
            last_t INTEGER NOT NULL, state TEXT NOT NULL, PRIMARY KEY (security_id, timeframe));
        """

    @Test func aVersion2DatabaseMigratesWithEveryBarCoverageAndStateAndThenMergesARename() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("old.sqlite").path
        let fb = IdentityTests.dailyBars(["2022-06-07", "2022-06-08"], base: 100)
        let meta = IdentityTests.dailyBars(["2022-06-09", "2022-06-10"], base: 200)
        let old = try DatabaseQueue(path: path)
        try await old.write { db in
            try db.execute(sql: Self.v2Schema)
            try db.execute(sql: "INSERT INTO securities VALUES (1, 'FB'), (2, 'META'), (3, 'AMD')")
            for (id, bars) in [(1, fb), (2, meta), (3, fb)] {
                for bar in bars {
                    try db.execute(
                        sql: "INSERT INTO bars_day VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        arguments: [
                            id, bar.windowStartMs, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.vwap,
                            bar.transactions,
                        ])
                }
            }
            try db.execute(sql: "INSERT INTO coverage VALUES (3, '1d', '2022-06-07', '2022-06-08')")
            try db.execute(sql: "INSERT INTO indicator_state VALUES (3, '1d', 1, '{}')")
        }
        try old.close()
        let before = try TestSupport.contents(ofDatabase: path)
        let store = try SQLiteBarStore(path: path)
        #expect(try TestSupport.contents(ofDatabase: path) == before, "the views show the same rows after v3")
        #expect(
            try await store.coverage(symbol: "AMD", timeframe: .day) == [
                DayRange(IdentityTests.day("2022-06-07"), IdentityTests.day("2022-06-08"))!
            ])
        #expect(try await store.indicatorState(symbol: "AMD", timeframe: .day)?.lastMs == 1)
        #expect(try await store.bars(symbol: "AMD", timeframe: .day, fromMs: 0, toMs: .max, limit: 10) == fb)

        let outcome = try await store.saveSecurity(IdentityTests.meta, marking: nil)
        #expect(outcome.merged == 1 && outcome.movedBars == 2 && outcome.securityID == 2)
        #expect(try await store.bars(symbol: "META", timeframe: .day, fromMs: 0, toMs: .max, limit: 10) == fb + meta)
        #expect(try TestSupport.contents(ofDatabase: path) == before, "each bar still shows under its own name")
        let queue = try DatabaseQueue(path: path)
        let integrity = try await queue.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            )
        }
        #expect(integrity.0 == "ok" && integrity.1.isEmpty)
    }
}
