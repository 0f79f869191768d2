import BackfillCore
import Foundation
import Storage
import Testing

/// Reference data on both stores: identity and renames, reused tickers, actions and adjusted
/// reads, news, sync marks.
extension StoreBehaviourTests {
    typealias Identity = IdentityTests

    @Test(arguments: Backend.allCases)
    func aRenamedTickerMergesIntoOneSeriesOnceAndKeepsOneRowPerTime(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, sql) async throws in
            _ = try await store.write(
                BarBatch(
                    symbol: "FB", timeframe: .day,
                    bars: Identity.dailyBars(["2022-06-06", "2022-06-07", "2022-06-08"], base: 100)),
                covering: TestSupport.range("2022-06-06", "2022-06-08"))
            // META's writer also stored 06-08 (other prices): after the merge that time exists once.
            _ = try await store.write(
                BarBatch(
                    symbol: "META", timeframe: .day,
                    bars: Identity.dailyBars(["2022-06-08", "2022-06-09", "2022-06-10"], base: 200)),
                covering: TestSupport.range("2022-06-09", "2022-06-10"))
            _ = try await store.write(
                [
                    BarBatch(
                        symbol: "FB", timeframe: .minute,
                        bars: LedgerTests.minutes(5, on: TestSupport.date("2022-06-06")))
                ])
            try await store.saveIndicatorState(symbol: "FB", timeframe: .day, lastMs: 1, state: [1])
            #expect(try await sql.count("SELECT COUNT(*) FROM securities") == 2)

            let outcome = try await store.saveSecurity(Identity.meta, marking: nil)
            #expect(outcome.merged == 1 && outcome.movedBars == 7 && outcome.changed)
            #expect(try await sql.count("SELECT COUNT(*) FROM securities") == 1)
            let series = try await store.bars(symbol: "META", timeframe: .day, fromMs: 0, toMs: .max, limit: 100)
            #expect(series.map(\.close) == [100, 101, 200, 201, 202], "FB's history, then META's; 06-08 kept once")
            #expect(try await store.bars(symbol: "FB", timeframe: .day, fromMs: 0, toMs: .max, limit: 100) == series)
            #expect(
                try await store.bars(symbol: "META", timeframe: .minute, fromMs: 0, toMs: .max, limit: 9).count == 5)
            #expect(
                try await store.coverage(symbol: "META", timeframe: .day) == [
                    TestSupport.range("2022-06-06", "2022-06-10")
                ])
            #expect(try await store.indicatorState(symbol: "META", timeframe: .day) == nil, "bars moved: recompute")
            #expect(
                try await sql.strings("SELECT ticker FROM bars_day_by_ticker ORDER BY t")
                    == ["FB", "FB", "FB", "META", "META"])
            #expect(try await store.ledgerSymbols() == ["META"], "the ledger row followed the bars")
            let stored = try #require(try await store.security(ticker: "FB"))
            #expect(stored.ticker == "META" && stored.identity == Identity.meta && stored.id == outcome.securityID)

            let again = try await store.saveSecurity(Identity.meta, marking: nil)
            #expect(again == IdentityOutcome(securityID: outcome.securityID, merged: 0, movedBars: 0, changed: false))
            var renamed = Identity.meta
            renamed.name = "Meta Platforms, Inc."
            #expect(try await store.saveSecurity(renamed, marking: nil).changed)
            // A later write under the old name lands on the same security, by its date.
            _ = try await store.write(
                BarBatch(symbol: "FB", timeframe: .day, bars: Identity.dailyBars(["2022-06-03"], base: 99)),
                covering: nil)
            #expect(try await sql.count("SELECT COUNT(*) FROM securities") == 1)
            #expect(try await store.bars(symbol: "META", timeframe: .day, fromMs: 0, toMs: .max, limit: 100).count == 6)
        }
    }

    @Test(arguments: Backend.allCases)
    func aReusedTickerResolvesByDateAndAfterADelistingStartsANewSecurity(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, sql) async throws in
            // Before 2022 "META" was another security (an ETF), delisted in 2021.
            _ = try await store.write(
                BarBatch(
                    symbol: "META", timeframe: .day, bars: Identity.dailyBars(["2020-03-02", "2020-03-03"], base: 20)),
                covering: nil)
            let etf = SecurityIdentity(
                compositeFIGI: "BBG00ETF0001", name: "Roundhill metaverse ETF", type: "ETF", active: false,
                delistDate: TestSupport.date("2021-12-31"),
                names: [
                    TickerName(
                        ticker: "META", first: TestSupport.date("2015-01-02"), last: TestSupport.date("2021-12-31"))
                ])
            let outcomes = try await store.saveSecurities([etf, Identity.meta], marking: nil)
            #expect(outcomes.count == 2 && outcomes[0].securityID != outcomes[1].securityID)
            _ = try await store.write(
                BarBatch(symbol: "META", timeframe: .day, bars: Identity.dailyBars(["2023-03-01"], base: 180)),
                covering: nil)
            _ = try await store.write(
                [BarBatch(symbol: "META", timeframe: .day, bars: Identity.dailyBars(["2020-03-05"], base: 23))],
                marking: nil)
            let ids = try await sql.strings("SELECT CAST(security_id AS TEXT) FROM bars_day ORDER BY t")
            let (etfID, metaID) = (String(outcomes[0].securityID), String(outcomes[1].securityID))
            #expect(ids == [etfID, etfID, etfID, metaID])
            #expect(
                try await store.bars(symbol: "META", timeframe: .day, fromMs: 0, toMs: .max, limit: 10).map(\.close)
                    == [180])
            #expect(try await sql.count("SELECT COUNT(*) FROM bars_day_by_ticker WHERE ticker = 'META'") == 4)

            // XYZ: delisted in 2015; two days late is still the old holder, 2020 is a new security.
            let old = SecurityIdentity(
                compositeFIGI: "BBG00OLDXYZ1", active: false, delistDate: TestSupport.date("2015-06-30"),
                names: [
                    TickerName(
                        ticker: "XYZ", first: TestSupport.date("2010-01-04"), last: TestSupport.date("2015-06-30"))
                ])
            let oldID = try await store.saveSecurity(old, marking: nil).securityID
            _ = try await store.write(
                BarBatch(symbol: "XYZ", timeframe: .day, bars: Identity.dailyBars(["2015-07-02"], base: 11)),
                covering: nil)
            _ = try await store.write(
                [BarBatch(symbol: "XYZ", timeframe: .day, bars: Identity.dailyBars(["2020-03-02"], base: 50))],
                marking: nil)
            let xyz = try await sql.strings(
                """
                SELECT CAST(b.security_id AS TEXT) FROM bars_day b JOIN ticker_names n ON n.security_id = b.security_id
                WHERE n.ticker = 'XYZ' ORDER BY b.t
                """)
            #expect(xyz.count == 2 && xyz[0] == String(oldID) && xyz[1] != String(oldID))
            #expect(
                try await store.bars(symbol: "XYZ", timeframe: .day, fromMs: 0, toMs: .max, limit: 10).map(\.close)
                    == [50], "the ticker's current holder")
        }
    }

    @Test(arguments: Backend.allCases)
    func actionsAreStoredOnceAndReadsAreAdjusted(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, _) async throws in
            let bars = zip(AdjustedReadTests.dates, AdjustedReadTests.closes).map { date, close in
                Bar(
                    windowStartMs: EasternTime.utcMilliseconds(on: TestSupport.date(date), minutesAfterMidnight: 0),
                    open: close, high: close + 1, low: close - 1, close: close, volume: 1_000, vwap: close,
                    transactions: 5)
            }
            _ = try await store.write(BarBatch(symbol: "AMD", timeframe: .day, bars: bars), covering: nil)
            let splits = [SplitRow(id: "s1", ticker: "AMD", split: AdjustedReadTests.split, adjustmentType: "forward")]
            var dividends = [
                DividendRow(
                    id: nil, ticker: "AMD", dividend: AdjustedReadTests.dividend, currency: "USD",
                    payDate: "2025-01-20",
                    frequency: 4)
            ]
            let mark = SyncMark(phase: "actions", scope: "AMD", last: TestSupport.date("2025-01-10"))
            #expect(try await store.saveActions(splits: splits, dividends: dividends, marking: mark) == 2)
            #expect(try await store.saveActions(splits: splits, dividends: dividends, marking: nil) == 0)
            dividends[0].payDate = "2025-01-21"
            #expect(try await store.saveActions(splits: splits, dividends: dividends, marking: nil) == 1)
            #expect(try await store.syncState(phase: "actions", scope: "AMD") == mark)
            let actions = try await store.corporateActions(symbol: "AMD")
            #expect(actions.splits == [AdjustedReadTests.split] && actions.dividends == [AdjustedReadTests.dividend])
            #expect(try await store.corporateActions(symbol: "NVDA").splits.isEmpty)
            for adjustment in BarAdjustment.allCases {
                let read = try await store.bars(
                    symbol: "AMD", timeframe: .day, fromMs: 0, toMs: .max, limit: 10, adjustment: adjustment)
                let expected = AdjustedReadTests.expected(adjustment)
                #expect(zip(read.map(\.close), expected).allSatisfy { abs($0 - $1) < 1e-9 }, "\(adjustment)")
            }
            let raw = try await store.bars(symbol: "AMD", timeframe: .day, fromMs: 0, toMs: .max, limit: 10)
            #expect(raw.map(\.close) == AdjustedReadTests.closes)
        }
    }

    @Test(arguments: Backend.allCases)
    func newsIsStoredOnceAndFoundUnderEveryNameOfItsSecurity(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, _) async throws in
            _ = try await store.saveSecurity(Identity.meta, marking: nil)
            let day = { (text: String) in
                EasternTime.utcMilliseconds(on: TestSupport.date(text), minutesAfterMidnight: 600)
            }
            let old = NewsRow(
                id: "n1", publishedMs: day("2021-03-01"), publisher: "Wire", title: "FB earnings", author: nil,
                articleURL: "https://example.com/1", keywords: ["earnings", "ads"],
                mentions: [.init(ticker: "FB", sentiment: "positive"), .init(ticker: "ZZZ")])
            let new = NewsRow(
                id: "n2", publishedMs: day("2023-03-01"), publisher: "Wire", title: "META ships", author: "A. B.",
                articleURL: "https://example.com/2", description: "d", imageURL: "https://example.com/2.png",
                mentions: [.init(ticker: "META")])
            let mark = SyncMark(
                phase: "news", scope: "META", first: TestSupport.date("2021-01-01"),
                last: TestSupport.date("2023-12-31"))
            #expect(try await store.saveNews([old, new], marking: mark) == 2)
            #expect(try await store.saveNews([old, new], marking: nil) == 0)
            #expect(try await store.syncState(phase: "news", scope: "META") == mark)
            let sortedOld = NewsRow(
                id: old.id, publishedMs: old.publishedMs, publisher: old.publisher, title: old.title,
                articleURL: old.articleURL, keywords: old.keywords,
                mentions: [.init(ticker: "FB", sentiment: "positive"), .init(ticker: "ZZZ")])
            #expect(try await store.news(symbol: "META", fromMs: 0, toMs: .max, limit: 10) == [new, sortedOld])
            #expect(try await store.news(symbol: "FB", fromMs: 0, toMs: .max, limit: 1) == [new])
            #expect(try await store.news(symbol: "ZZZ", fromMs: 0, toMs: .max, limit: 10).map(\.id) == ["n1"])
            #expect(
                try await store.news(symbol: "META", fromMs: 0, toMs: day("2022-01-01"), limit: 10).map(\.id) == ["n1"])

            #expect(try await store.syncState(phase: "reference", scope: "*") == nil)
            let reference = SyncMark(phase: "reference", scope: "*", last: TestSupport.date("2025-01-02"))
            try await store.saveSyncState(reference)
            var later = reference
            later.last = TestSupport.date("2025-02-03")
            try await store.saveSyncState(later)
            #expect(try await store.syncState(phase: "reference", scope: "*") == later)
        }
    }

    /// The gui's symbol search: every name a security had (FB finds META), by symbol prefix or name
    /// substring in any case, the exact symbol first; wildcards in the text match literally.
    @Test(arguments: Backend.allCases)
    func tickerSearchFindsFormerNamesAndCompanyNamesLiterally(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, _) async throws in
            _ = try await store.saveSecurity(Identity.meta, marking: nil)
            let fb = try #require(try await store.searchTickers("fb", limit: 10).first)
            #expect(fb.ticker == "FB" && fb.currentTicker == "META" && fb.renamed)
            #expect(fb.firstDay == "2012-05-18" && fb.lastDay == "2022-06-08" && fb.name == "Meta Platforms")
            let byName = try await store.searchTickers("PLATFORMS", limit: 10).map(\.ticker)
            #expect(byName == ["FB", "META"])
            let exactFirst = try await store.searchTickers("meta", limit: 10)
            #expect(exactFirst.first?.ticker == "META" && exactFirst.first?.renamed == false)
            #expect(try await store.searchTickers("META", limit: 0).isEmpty)
            for hostile in ["%", "_", "' OR 1=1 --", "\\"] {
                #expect(try await store.searchTickers(hostile, limit: 10).isEmpty, "\(hostile)")
            }
        }
    }
}
