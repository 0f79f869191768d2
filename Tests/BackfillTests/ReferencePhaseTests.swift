import BackfillCore
import Foundation
import GRDB
import Ingestion
import Polygon
import PolygonSandbox
import Storage
import Testing

/// Phases 1, 2 and 5 against the sandbox over loopback HTTP, into a real SQLite file.
@Suite("Reference, corporate-action and news phases")
struct ReferencePhaseTests {
    static let today = TestSupport.date("2026-05-31")  // TestSupport.nowMs is 2026-06-01 00:00Z
    static let universe = SyntheticUniverse()

    static func request(_ tickers: [String], _ range: DayRange, timeframes: [Timeframe] = [.day]) -> BackfillRequest {
        var request = BackfillRequest(tickers: tickers, range: range, timeframes: timeframes, today: today)
        request.enrich = false
        return request
    }

    static func newStore() throws -> (SQLiteBarStore, String) {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("ref.sqlite").path
        return (try SQLiteBarStore(path: path), path)
    }

    /// Runs `body` with a client to a fresh sandbox; returns its result and the sandbox's counters.
    static func withClient<T: Sendable>(_ body: @escaping @Sendable (RESTClient) async throws -> T) async throws -> (
        T, SandboxStatistics
    ) {
        let sandbox = TestSupport.sandbox()
        let result = try await sandbox.withRunning { baseURL in try await body(TestSupport.client(baseURL: baseURL)) }
        return (result, sandbox.statistics)
    }

    static func phases(_ client: RESTClient, _ store: SQLiteBarStore) -> MetadataPhases {
        MetadataPhases(client: client, store: store, logger: TestSupport.quietLogger)
    }

    @Test func referenceStoresListAndDelistDatesAndTheActiveFlag() async throws {
        let delisted = try #require(
            Self.universe.securities.first { $0.delistDate.map { $0 < Self.today } == true && $0.names.count == 1 })
        let ticker = delisted.currentTicker
        let (store, _) = try Self.newStore()
        let (reports, counts) = try await Self.withClient { client in
            await ReferencePhase(client: client, store: store, logger: TestSupport.quietLogger)
                .run(Self.request([ticker, "AAPL"], TestSupport.range("2024-01-02", "2024-01-31")))
        }
        #expect(reports.failures.isEmpty && reports.fetched == 2 && counts["details"] == 2)
        let gone = try #require(try await store.security(ticker: ticker))
        #expect(!gone.identity.active && gone.identity.delistDate == delisted.delistDate)
        #expect(gone.identity.compositeFIGI == delisted.compositeFIGI && gone.identity.listDate == delisted.listDate)
        let apple = try #require(try await store.security(ticker: "AAPL"))
        #expect(apple.identity.active && apple.identity.delistDate == nil && apple.identity.type == "CS")
    }

    @Test func delistedTickerKeepsItsHistoryAndIsMarked() async throws {
        let delisted = try #require(
            Self.universe.securities.first {
                $0.delistDate.map { $0 < Self.today && $0.year >= 2005 } == true && $0.names.count == 1
                    && $0.listDate.adding(days: 60) < $0.delistDate!
            })
        let last = try #require(delisted.delistDate)
        let range = try #require(DayRange(last.adding(days: -40), last.adding(days: 40)))
        let (store, path) = try Self.newStore()
        _ = try await Self.withClient { client in
            let request = Self.request([delisted.currentTicker], range)
            _ = await Self.phases(client, store).runBeforeBars(request)
            return try await BackfillRunner(client: client, store: store, logger: TestSupport.quietLogger).run(request)
        }
        let bars = try await store.bars(
            symbol: delisted.currentTicker, timeframe: .day, fromMs: 0, toMs: .max, limit: 1_000)
        #expect(!bars.isEmpty && EasternTime.date(containing: bars.last!.windowStartMs) == last)
        let row = try #require(try await store.inventory().first { $0.symbol == delisted.currentTicker })
        #expect(row.delistedOn == last.description && row.bars == bars.count)
        #expect(try IdentityTests.count(path, "SELECT COUNT(DISTINCT security_id) FROM bars_day") == 1)
    }

    @Test func fbAndMetaReadBackAsOneContinuousSeriesAndARepeatChangesNothing() async throws {
        let (store, path) = try Self.newStore()
        let range = TestSupport.range("2022-05-02", "2022-07-29")
        let request = Self.request(["FB", "META"], range)
        // Bars first (no reference yet: two securities), then the reference phase merges them.
        let (first, _) = try await Self.withClient { client in
            let bars = try await BackfillRunner(client: client, store: store, logger: TestSupport.quietLogger)
                .run(request)
            let reference = await ReferencePhase(client: client, store: store, logger: TestSupport.quietLogger)
                .run(request)
            return (bars, reference)
        }
        #expect(first.0.status == .completed && first.1.failures.isEmpty)
        #expect(first.1.detail.hasPrefix("1 renamed securities merged"))
        let sessions = TradingCalendar().sessions(in: range).map(\.date)
        let series = try await store.bars(symbol: "META", timeframe: .day, fromMs: 0, toMs: .max, limit: 1_000)
        #expect(series.map { EasternTime.date(containing: $0.windowStartMs) } == sessions)
        #expect(try await store.bars(symbol: "FB", timeframe: .day, fromMs: 0, toMs: .max, limit: 1_000) == series)
        let names = try await DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT ticker FROM bars_day_by_ticker ORDER BY t")
        }
        #expect(names == ["FB", "META"])
        let contents = try TestSupport.contents(ofDatabase: path)

        let (second, counts) = try await Self.withClient { client in
            let reference = await Self.phases(client, store).runBeforeBars(request)
            let bars = try await BackfillRunner(client: client, store: store, logger: TestSupport.quietLogger)
                .run(request)
            return (reference, bars)
        }
        #expect(second.0.first { $0.phase == .reference }?.skipped == 2)
        #expect(second.1.progress.barsChanged == 0 && counts["aggregates"] == 0 && counts["details"] == 0)
        #expect(try TestSupport.contents(ofDatabase: path) == contents)
    }

    @Test func referenceFirstThenBarsLandsUnderOneSecurity() async throws {
        let (store, path) = try Self.newStore()
        let request = Self.request(["FB", "META"], TestSupport.range("2022-06-01", "2022-06-15"))
        _ = try await Self.withClient { client in
            _ = await Self.phases(client, store).runBeforeBars(request)
            return try await BackfillRunner(client: client, store: store, logger: TestSupport.quietLogger).run(request)
        }
        let ids = try await DatabaseQueue(path: path).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT security_id) FROM bars_day")
        }
        #expect(ids == 1)
        #expect(try await store.bars(symbol: "META", timeframe: .day, fromMs: 0, toMs: .max, limit: 100).count == 11)
    }

    @Test func splitsAndDividendsAreStoredOnceAndASplitAdjustedReadIsRawTimesTheFactor() async throws {
        let security = try #require(
            Self.universe.securities.first { security in
                security.names.count == 1 && security.delistDate == nil && security.splits.count == 1
                    && security.splits[0].date.year >= 2010 && security.splits[0].date < TestSupport.date("2026-01-01")
                    && security.listDate < security.splits[0].date.adding(days: -60)
            })
        let split = security.splits[0]
        let ticker = security.currentTicker
        let range = try #require(DayRange(split.date.adding(days: -20), split.date.adding(days: 20)))
        let request = Self.request([ticker], range)
        let (store, _) = try Self.newStore()
        let ((reports, direct), _) = try await Self.withClient { client in
            let reports = await Self.phases(client, store).runBeforeBars(request)
            _ = try await BackfillRunner(client: client, store: store, logger: TestSupport.quietLogger).run(request)
            return (reports, Set(try await client.dividends(ticker: ticker).map(\.exDividendDate)))
        }
        let actions = try #require(reports.first { $0.phase == .actions })
        #expect(actions.failures.isEmpty && actions.changed > 0)
        let stored = try await store.corporateActions(symbol: ticker)
        #expect(stored.splits == [Split(executionDate: split.date, splitFrom: split.from, splitTo: split.to)])
        #expect(Set(stored.dividends.map(\.exDividendDate.description)) == direct)

        let raw = try await store.bars(symbol: ticker, timeframe: .day, fromMs: 0, toMs: .max, limit: 100)
        let adjusted = try await store.bars(
            symbol: ticker, timeframe: .day, fromMs: 0, toMs: .max, limit: 100, adjustment: .splits)
        #expect(raw.count == adjusted.count && raw.count > 20)
        var before = 0
        for (r, a) in zip(raw, adjusted) {
            let date = EasternTime.date(containing: r.windowStartMs)
            let factor = date < split.date ? split.from / split.to : 1
            if factor != 1 { before += 1 }
            #expect(abs(a.close - r.close * factor) <= 1e-9 * r.close, "\(date)")
            #expect(abs(a.volume - r.volume / factor) <= 1e-6 * r.volume, "\(date)")
        }
        #expect(before > 5, "bars before the split were adjusted")
        #expect(try await store.bars(symbol: ticker, timeframe: .day, fromMs: 0, toMs: .max, limit: 100) == raw)

        let (again, counts) = try await Self.withClient { client in
            await CorporateActionsPhase(client: client, store: store, logger: TestSupport.quietLogger).run(request)
        }
        #expect(again.skipped == 1 && again.requests == 0 && counts["splits"] == 0)
    }

    @Test func newsIsStoredOnceAndARepeatAsksOnlyForNewDays() async throws {
        let (store, path) = try Self.newStore()
        let range = TestSupport.range("2025-01-02", "2025-03-31")
        let (first, direct) = try await Self.withClient { client in
            let report = await NewsPhase(client: client, store: store, logger: TestSupport.quietLogger)
                .run(Self.request(["AAPL", "MSFT"], range))
            let direct = Set(try await client.news(ticker: "AAPL", range: range).map(\.id))
            return (report, direct)
        }.0
        #expect(first.failures.isEmpty && first.fetched == 2 && first.changed > 0)
        let stored = try await store.news(symbol: "AAPL", fromMs: 0, toMs: .max, limit: 1_000)
        #expect(Set(stored.map(\.id)) == direct && !direct.isEmpty)
        #expect(stored.allSatisfy { $0.mentions.contains { $0.ticker == "AAPL" } })
        let rows = try IdentityTests.count(path, "SELECT COUNT(*) FROM news")

        let (second, counts) = try await Self.withClient { client in
            await NewsPhase(client: client, store: store, logger: TestSupport.quietLogger)
                .run(Self.request(["AAPL", "MSFT"], range))
        }
        #expect(second.skipped == 2 && second.changed == 0 && counts["news"] == 0)
        #expect(try IdentityTests.count(path, "SELECT COUNT(*) FROM news") == rows)

        let wider = TestSupport.range("2025-01-02", "2025-04-30")
        let (third, more) = try await Self.withClient { client in
            await NewsPhase(client: client, store: store, logger: TestSupport.quietLogger)
                .run(Self.request(["AAPL"], wider))
        }
        #expect(third.fetched == 1 && more["news"] == 1, "one request for April only")
        #expect(try IdentityTests.count(path, "SELECT COUNT(*) FROM news") == rows + third.changed)
    }
}

extension ReferencePhaseTests {
    @Test func allTickersStoresTheActiveAndDelistedListsAndTheirActions() async throws {
        let (store, path) = try Self.newStore()
        let request = {
            var request = Self.request([], TestSupport.range("2026-01-02", "2026-03-31"))
            request.allTickers = true
            return request
        }()
        let (reports, counts) = try await Self.withClient { client in
            await Self.phases(client, store).runBeforeBars(request) + Self.phases(client, store).runAfterBars(request)
        }
        #expect(reports.allSatisfy { $0.failures.isEmpty }, "\(reports)")
        let listed = Self.universe.securities.filter { security in
            security.ticker(on: Self.today) != nil || security.delistDate.map { $0 < Self.today } == true
        }
        #expect(try IdentityTests.count(path, "SELECT COUNT(*) FROM securities") == listed.count)
        #expect(
            try IdentityTests.count(path, "SELECT COUNT(*) FROM securities WHERE active = 0")
                == listed.filter { !$0.isActive }.count)
        #expect(counts["tickers"] >= 2 && counts["details"] == 0)
        let splitsInRange = Self.universe.securities.flatMap(\.splits).filter {
            $0.date >= request.range.first && $0.date <= Self.today.adding(days: 30)
        }
        #expect(try IdentityTests.count(path, "SELECT COUNT(*) FROM splits") == splitsInRange.count)
        #expect(reports.last?.skippedBecause != nil, "news needs named tickers")

        let (again, more) = try await Self.withClient { client in
            await Self.phases(client, store).runBeforeBars(request)
        }
        #expect(again.allSatisfy { $0.skipped == 1 } && more["tickers"] == 0 && more["splits"] == 0)
    }
}

extension ReferencePhaseTests {
    /// With reference data, a backfill of META asks only for the days META named the security, so a
    /// later backfill of FB still fetches FB's years, and the two read back as one series.
    @Test func askingForMetaThenFbFetchesEachNameOnlyForItsOwnDays() async throws {
        let (store, _) = try Self.newStore()
        let range = TestSupport.range("2022-01-03", "2022-12-30")
        let (metaRun, metaCounts) = try await Self.withClient { client in
            let request = Self.request(["META"], range)
            _ = await ReferencePhase(client: client, store: store, logger: TestSupport.quietLogger).run(request)
            return try await BackfillRunner(client: client, store: store, logger: TestSupport.quietLogger).run(request)
        }
        let sessions = TradingCalendar().sessions(in: range).map(\.date)
        let renamed = TestSupport.date("2022-06-09")
        #expect(metaRun.status == .completed && metaCounts["aggregates"] == 1)
        #expect(metaRun.barsByTimeframe["1d"] == sessions.filter { $0 >= renamed }.count)
        let (fbRun, fbCounts) = try await Self.withClient { client in
            try await BackfillRunner(client: client, store: store, logger: TestSupport.quietLogger)
                .run(Self.request(["FB"], range))
        }
        #expect(fbRun.barsByTimeframe["1d"] == sessions.filter { $0 < renamed }.count && fbCounts["aggregates"] == 1)
        let series = try await store.bars(symbol: "META", timeframe: .day, fromMs: 0, toMs: .max, limit: 1_000)
        #expect(series.map { EasternTime.date(containing: $0.windowStartMs) } == sessions)
        let (again, againCounts) = try await Self.withClient { client in
            try await BackfillRunner(client: client, store: store, logger: TestSupport.quietLogger)
                .run(Self.request(["FB", "META"], range))
        }
        #expect(again.progress.barsReceived == 0 && againCounts["aggregates"] == 0)
    }
}

extension ReferencePhaseTests {
    @Test func anUnknownTickerIsNotedOnceAndAForbiddenOneIsAFailureToRetry() async throws {
        let (store, _) = try Self.newStore()
        let request = Self.request(["ZZZZQ", "AMD"], TestSupport.range("2025-01-06", "2025-01-10"))
        let sandbox = TestSupport.sandbox(forbidden: ["AMD"])
        let report = try await sandbox.withRunning { baseURL in
            await ReferencePhase(
                client: TestSupport.client(baseURL: baseURL, attempts: 1), store: store, logger: TestSupport.quietLogger
            ).run(request)
        }
        #expect(report.fetched == 1 && report.failures.map(\.item) == ["AMD reference"])
        #expect(try await store.security(ticker: "ZZZZQ") == nil)
        #expect(try await store.syncState(phase: ReferencePhase.name, scope: "ZZZZQ")?.last == Self.today)
        #expect(try await store.syncState(phase: ReferencePhase.name, scope: "AMD") == nil, "retried next run")
    }
}
