import BackfillCore
import Foundation
import Polygon
import PolygonSandbox
import Testing

/// Every reference endpoint: the client decodes the recorded fixtures, and talks to the sandbox.
@Suite("Reference endpoints")
struct ReferenceEndpointTests {
    static func fixture(_ path: String) throws -> Data {
        try Data(contentsOf: TestSupport.fixtures.appendingPathComponent(path))
    }

    @Test func recordedReferenceFixturesDecode() throws {
        let decoder = JSONDecoder()
        let tickers = try decoder.decode(
            ListPage<TickerRecord>.self, from: Self.fixture("rest/v3/reference/tickers.json"))
        #expect(tickers.results.count == 2 && tickers.nextURL?.contains("cursor=") == true)
        #expect(tickers.results[0].model.compositeFIGI == "BBG000C2V3D6")
        let details = try decoder.decode(
            SingleResult<TickerRecord>.self, from: Self.fixture("rest/v3/reference/tickers/AAPL.json"))
        #expect(details.results.ticker == "AAPL" && details.results.listDate != nil)
        let events = try decoder.decode(
            SingleResult<TickerEvents>.self,
            from: Self.fixture("rest/vX/reference/tickers/META/events&types=ticker_change.json"))
        #expect(events.results.events.map { $0.tickerChange?.ticker } == ["META", "FB"])
        let types = try decoder.decode(
            ListPage<TickerType>.self, from: Self.fixture("rest/v3/reference/tickers/types.json"))
        #expect(types.results.count == 15)
        let splits = try decoder.decode(ListPage<SplitRecord>.self, from: Self.fixture("rest/v3/reference/splits.json"))
        #expect(splits.results.first?.splitTo == 20)
        let modernSplits = try decoder.decode(
            ListPage<SplitRecord>.self, from: Self.fixture("rest-spec-examples/stocks/v1/splits&ticker=AAPL.json"))
        #expect(modernSplits.results.first?.historicalAdjustmentFactor == 0.017857 && modernSplits.requestID == "1")
        let dividends = try decoder.decode(
            ListPage<DividendRecord>.self, from: Self.fixture("rest/v3/reference/dividends.json"))
        #expect(dividends.results.first?.cashAmount == 0.59375)
        let modernDividends = try decoder.decode(
            ListPage<DividendRecord>.self, from: Self.fixture("rest-spec-examples/stocks/v1/dividends&ticker=AAPL.json")
        )
        #expect(modernDividends.results.first?.historicalAdjustmentFactor == 0.997899)
        for path in ["rest/v2/reference/news&ticker=NFLX.json", "rest-spec-examples/v2/reference/news&limit=1.json"] {
            #expect(try decoder.decode(ListPage<NewsArticle>.self, from: Self.fixture(path)).results.count == 1)
        }
        for path in ["rest/v1/marketstatus/now.json", "rest-spec-examples/v1/marketstatus/now.json"] {
            #expect(!(try decoder.decode(MarketStatus.self, from: Self.fixture(path)).market.isEmpty))
        }
        let holidays = try decoder.decode(
            [MarketHoliday].self, from: Self.fixture("rest/v1/marketstatus/upcoming.json"))
        #expect(holidays.contains { $0.status == "early-close" && $0.close != nil })
        let exchanges = try decoder.decode(
            ListPage<ExchangeRecord>.self, from: Self.fixture("rest/v3/reference/exchanges.json"))
        #expect(exchanges.results.count == 24 && exchanges.results[0].id.value == "1")
        let modernExchanges = try decoder.decode(
            ListPage<ExchangeRecord>.self, from: Self.fixture("rest-spec-examples/stocks/v1/exchanges.json"))
        #expect(modernExchanges.results[0].id.value == "10")
    }

    @Test func tickerListsPageAndArePointInTime() async throws {
        let (all, paged, before, delisted) = try await TestSupport.sandbox().withRunning { baseURL in
            let client = TestSupport.client(baseURL: baseURL)
            return (
                try await client.tickers(date: LocalDate("2025-03-03")),
                try await client.tickers(date: LocalDate("2025-03-03"), limit: 7),
                try await client.tickers(date: LocalDate("2020-03-02")), try await client.tickers(active: false)
            )
        }
        #expect(all.count > 250 && paged.map(\.ticker) == all.map(\.ticker))
        #expect(all.contains { $0.ticker == "META" } && !all.contains { $0.ticker == "FB" })
        #expect(before.contains { $0.ticker == "FB" } && !before.contains { $0.ticker == "META" })
        #expect(!delisted.isEmpty && delisted.allSatisfy { $0.active == false && $0.delistedUTC != nil })
        #expect(
            all.contains { $0.ticker == "NA" } && all.contains { $0.ticker == "TpC" }
                && all.contains { $0.ticker == "TPC" })
    }

    @Test func detailsEventsAndTypes() async throws {
        let (details, events, types, missing) = try await TestSupport.sandbox().withRunning { baseURL in
            let client = TestSupport.client(baseURL: baseURL)
            let missing = await #expect(throws: PolygonError.self) { try await client.tickerDetails("ZZZZZ") }
            return (
                try await client.tickerDetails("META"), try await client.tickerEvents("META"),
                try await client.tickerTypes(), missing
            )
        }
        #expect(details.ticker == "META" && details.listDate == "2012-05-18")
        #expect(events.events.map { $0.tickerChange?.ticker } == ["META", "FB"])
        #expect(events.events.first?.date == "2022-06-09")
        #expect(types.contains { $0.code == "CS" })
        #expect(missing?.httpStatus == 404)
    }

    @Test func corporateActionsCarryPolygonsFactors() async throws {
        let market = SyntheticMarket(seed: 42)
        let security = try #require(
            market.universe.securities.first { $0.splits.count >= 1 && !$0.dividendDates.isEmpty && $0.isActive })
        let ticker = security.currentTicker
        let (splits, legacySplits, dividends) = try await TestSupport.sandbox().withRunning { baseURL in
            let client = TestSupport.client(baseURL: baseURL)
            return (
                try await client.splits(ticker: ticker), try await client.splits(ticker: ticker, legacy: true),
                try await client.dividends(ticker: ticker)
            )
        }
        #expect(splits.count == security.splits.filter { $0.date <= TestSupport.date("2026-07-01") }.count)
        #expect(legacySplits.count == splits.count && legacySplits.allSatisfy { $0.historicalAdjustmentFactor == nil })
        for split in splits { #expect(split.historicalAdjustmentFactor != nil && split.adjustmentType != nil) }
        #expect(!dividends.isEmpty && dividends.allSatisfy { ($0.historicalAdjustmentFactor ?? 0) > 0.5 })
        let newest = try #require(dividends.first)
        #expect(newest.exDividendDate >= dividends.last!.exDividendDate, "newest first")
    }

    @Test func newsIsTaggedAndFiltered() async throws {
        let articles = try await TestSupport.sandbox().withRunning { baseURL in
            try await TestSupport.client(baseURL: baseURL).news(
                ticker: "AAPL", range: TestSupport.range("2024-01-01", "2024-12-31"))
        }
        #expect(articles.count > 3)
        #expect(articles.allSatisfy { $0.tickers.contains("AAPL") && $0.publishedUTC.hasPrefix("2024-") })
        #expect(zip(articles, articles.dropFirst()).allSatisfy { $0.publishedUTC <= $1.publishedUTC }, "order=asc")
    }

    @Test func marketStatusHolidaysGroupedAndPrevious() async throws {
        let (status, holidays, grouped, previous, exchanges) = try await TestSupport.sandbox().withRunning { baseURL in
            let client = TestSupport.client(baseURL: baseURL)
            return (
                try await client.marketStatus(), try await client.upcomingHolidays(),
                try await client.groupedDaily(TestSupport.date("2025-03-03")), try await client.previousClose("AAPL"),
                try await client.exchanges()
            )
        }
        #expect(status.market == "closed", "2026-06-01 00:00Z is 20:00 New York on a Sunday")
        #expect(holidays.contains { $0.name == "Juneteenth" && $0.date == "2026-06-19" })
        #expect(holidays.contains { $0.status == "early-close" && $0.date == "2026-11-27" })
        #expect(grouped.count > 250 && grouped.allSatisfy { $0.ticker != nil })
        let groupedAAPL = try #require(grouped.first { $0.ticker == "AAPL" })
        #expect(
            groupedAAPL.timestampMs
                == EasternTime.utcMilliseconds(on: TestSupport.date("2025-03-03"), minutesAfterMidnight: 16 * 60))
        #expect(previous?.ticker == "AAPL")
        #expect(exchanges.contains { $0.mic == "XNYS" })
    }
}
