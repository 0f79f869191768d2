import BackfillCore
import Foundation

extension RESTClient {
    /// The bars of one ticker and timeframe over a date range, all pages followed.
    ///
    /// - Parameters:
    ///   - ticker: case-sensitive symbol, e.g. `AAPL`, `BRK.B`.
    ///   - timeframe: bar width (`range/{multiplier}/{timespan}`).
    ///   - range: inclusive New York dates.
    ///   - adjusted: false (the default) for raw prints, as the warehouse stores them.
    ///   - pageLimit: base aggregates per page (Polygon's `limit`, at most 50,000).
    /// - Returns: the bars in ascending time order and the number of pages read.
    /// - Throws: ``PolygonError``, with the ticker and range in its message.
    public func aggregates(
        ticker: String, timeframe: Timeframe, range: DayRange, adjusted: Bool = false, pageLimit: Int = 50_000
    ) async throws -> (bars: [Bar], pages: Int) {
        let context = "\(ticker) \(timeframe) \(range)"
        if let problem = Symbol.problem(with: ticker) {
            throw PolygonError(.invalidRequest, problem, isRetryable: false).adding(context: context)
        }
        var path =
            "/v2/aggs/ticker/\(ticker)/range/\(timeframe.multiplier)/\(timeframe.polygonTimespan)/"
            + "\(range.first)/\(range.last)?adjusted=\(adjusted)&sort=asc&limit=\(pageLimit)"
        var bars: [Bar] = []
        var pages = 0
        do {
            while true {
                let page = try await get(pathAndQuery: path) { data, url in try AggregatesPage.parse(data, url: url) }
                pages += 1
                try checkStatus(page.status, url: redactor.redact(configuration.baseURL + path))
                bars.append(contentsOf: page.results.lazy.map(\.bar))
                guard let next = page.nextURL else { break }
                path = try sameHostPath(next, expectedPrefix: "/v2/aggs/ticker/")
            }
        } catch let error as PolygonError {
            throw error.adding(context: context)
        }
        return (bars, pages)
    }

    func checkStatus(_ status: String?, url: String) throws(PolygonError) {
        guard let status, status != "OK", status != "DELAYED" else { return }
        throw PolygonError(.badRequest, "the response status is '\(status)'", url: url, isRetryable: false)
    }

    /// The path and query of a `next_url`, to be sent to the configured base URL.
    ///
    /// Only path and query are taken: the bearer key must never go to a host named by a response.
    func sameHostPath(_ nextURL: String, expectedPrefix: String) throws(PolygonError) -> String {
        var rest = Substring(nextURL)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.drop(while: { $0 != "/" })
        }
        guard rest.hasPrefix(expectedPrefix) else {
            throw PolygonError(
                .malformedBody, "next_url points to an unexpected path", url: redactor.redact(nextURL),
                isRetryable: false)
        }
        return String(rest)
    }
}
