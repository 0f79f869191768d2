import BackfillCore
import Foundation

extension RESTClient {
    /// Follows a list endpoint's `next_url` to the end, at most `maxPages` pages.
    /// - Parameter pathAndQuery: the first page, e.g. `/v3/reference/tickers?active=true&limit=1000`.
    public func list<Item: Decodable & Sendable>(
        _ type: Item.Type, pathAndQuery: String, maxPages: Int = 10_000
    ) async throws -> [Item] {
        let prefix = String(pathAndQuery.prefix { $0 != "?" })
        var path = pathAndQuery
        var items: [Item] = []
        for _ in 0..<maxPages {
            let page = try await get(ListPage<Item>.self, pathAndQuery: path)
            try checkStatus(page.status, url: redactor.redact(configuration.baseURL + path))
            items += page.results
            guard let next = page.nextURL else { return items }
            path = try sameHostPath(next, expectedPrefix: prefix)
        }
        return items
    }

    /// Every ticker matching the filters, all pages (`/v3/reference/tickers`).
    /// - Parameters:
    ///   - date: a point-in-time list: the tickers that traded on that date.
    ///   - active: nil for both active and delisted.
    public func tickers(
        market: String = "stocks", type: String? = nil, active: Bool? = true, date: LocalDate? = nil, limit: Int = 1_000
    ) async throws -> [TickerRecord] {
        let query = QueryString([
            ("market", market), ("type", type), ("active", active.map(String.init)), ("date", date?.description),
            ("limit", String(limit)),
        ])
        return try await list(TickerRecord.self, pathAndQuery: "/v3/reference/tickers\(query)")
    }

    /// `/v3/reference/tickers/{ticker}`, optionally as of `date`.
    public func tickerDetails(_ ticker: String, date: LocalDate? = nil) async throws -> TickerRecord {
        try await single(
            TickerRecord.self,
            "/v3/reference/tickers/\(try pathSegment(ticker))\(QueryString([("date", date?.description)]))")
    }

    /// Renames of the security currently using `id` (ticker, CUSIP or composite FIGI).
    public func tickerEvents(_ id: String) async throws -> TickerEvents {
        try await single(TickerEvents.self, "/vX/reference/tickers/\(try pathSegment(id))/events?types=ticker_change")
    }

    public func tickerTypes() async throws -> [TickerType] {
        try await list(TickerType.self, pathAndQuery: "/v3/reference/tickers/types")
    }

    /// Splits of one ticker (or all), from the newer `/stocks/v1/splits` unless `legacy`.
    public func splits(ticker: String?, legacy: Bool = false) async throws -> [SplitRecord] {
        let path = legacy ? "/v3/reference/splits" : "/stocks/v1/splits"
        return try await list(
            SplitRecord.self, pathAndQuery: path + QueryString([("ticker", ticker), ("limit", "1000")]).description)
    }

    /// Cash dividends of one ticker (or all), from the newer `/stocks/v1/dividends` unless `legacy`.
    public func dividends(ticker: String?, legacy: Bool = false) async throws -> [DividendRecord] {
        let path = legacy ? "/v3/reference/dividends" : "/stocks/v1/dividends"
        return try await list(
            DividendRecord.self, pathAndQuery: path + QueryString([("ticker", ticker), ("limit", "1000")]).description)
    }

    /// News about `ticker` published within `range` (New York dates), oldest first.
    public func news(ticker: String?, range: DayRange?, limit: Int = 1_000) async throws -> [NewsArticle] {
        let query = QueryString([
            ("ticker", ticker), ("published_utc.gte", range?.first.description),
            ("published_utc.lte", range.map { "\($0.last)T23:59:59Z" }), ("order", "asc"), ("sort", "published_utc"),
            ("limit", String(limit)),
        ])
        return try await list(NewsArticle.self, pathAndQuery: "/v2/reference/news\(query)")
    }

    public func marketStatus() async throws -> MarketStatus {
        try await get(MarketStatus.self, pathAndQuery: "/v1/marketstatus/now")
    }

    public func upcomingHolidays() async throws -> [MarketHoliday] {
        try await get([MarketHoliday].self, pathAndQuery: "/v1/marketstatus/upcoming")
    }

    public func exchanges() async throws -> [ExchangeRecord] {
        try await list(ExchangeRecord.self, pathAndQuery: "/v3/reference/exchanges?asset_class=stocks&locale=us")
    }

    /// Every ticker's daily bar for one date (`/v2/aggs/grouped/…`): one request for the whole market.
    /// The bars carry the ticker in `ticker` and Polygon's 16:00 New York stamp in `timestampMs`.
    public func groupedDaily(_ date: LocalDate, adjusted: Bool = false) async throws -> [AggregateBar] {
        let path = "/v2/aggs/grouped/locale/us/market/stocks/\(date)?adjusted=\(adjusted)"
        let page = try await get(pathAndQuery: path) { data, url in try AggregatesPage.parse(data, url: url) }
        try checkStatus(page.status, url: redactor.redact(configuration.baseURL + path))
        return page.results
    }

    /// The previous session's bar of `ticker`.
    public func previousClose(_ ticker: String, adjusted: Bool = false) async throws -> AggregateBar? {
        let path = "/v2/aggs/ticker/\(try pathSegment(ticker))/prev?adjusted=\(adjusted)"
        return try await get(pathAndQuery: path) { data, url in try AggregatesPage.parse(data, url: url) }.results.first
    }

    private func single<Item: Decodable & Sendable>(_ type: Item.Type, _ path: String) async throws -> Item {
        let page = try await get(SingleResult<Item>.self, pathAndQuery: path)
        try checkStatus(page.status, url: redactor.redact(configuration.baseURL + path))
        return page.results
    }

    func pathSegment(_ ticker: String) throws(PolygonError) -> String {
        if let problem = Symbol.problem(with: ticker) {
            throw PolygonError(.invalidRequest, problem, isRetryable: false)
        }
        return ticker
    }
}

/// `?a=1&b=2` from pairs, leaving out nil values and percent-encoding the rest.
struct QueryString: CustomStringConvertible {
    var pairs: [(String, String?)]

    init(_ pairs: [(String, String?)]) {
        self.pairs = pairs
    }

    var description: String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        let parts = pairs.compactMap { key, value in
            value.map { "\(key)=\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0)" }
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}
