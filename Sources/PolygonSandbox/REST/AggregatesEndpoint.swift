import BackfillCore

/// Answers aggregates requests from the synthetic market, paginating like Polygon: at most `limit`
/// bars per page and a `next_url` whose `from` (or, descending, `to`) is the next bar's millisecond
/// timestamp plus an opaque cursor holding the other parameters.
struct AggregatesEndpoint: Sendable {
    let market: SyntheticMarket

    /// Bars in `[fromMs, toMs]` that have finished by `nowMs`, ascending; split-adjusted to the
    /// share basis of `nowMs`'s date when the query says `adjusted=true` (Polygon's default).
    func bars(for query: AggregatesQuery, nowMs: Int64) -> [Bar] {
        let firstDate = EasternTime.date(containing: query.fromMs)
        let today = EasternTime.date(containing: nowMs)
        let lastDate = EasternTime.date(containing: min(query.toMs, nowMs))
        guard let range = DayRange(max(firstDate, SyntheticMarket.origin), lastDate) else { return [] }
        var result: [Bar] = []
        market.forEachSession(ticker: query.ticker, in: range) { security, session, minutes in
            let inRange = { (bar: Bar) in bar.windowStartMs >= query.fromMs && bar.windowStartMs <= query.toMs }
            var chosen: [Bar] = []
            switch query.timeframe.unit {
            case .day, .week:
                if session.regularCloseMs <= nowMs, let daily = market.dailyBar(from: minutes, session: session),
                    inRange(daily)
                {
                    chosen = [daily]
                }
            case .minute, .hour:
                chosen = minutes.filter { inRange($0) && $0.windowStartMs + 60_000 <= nowMs }
            }
            if query.adjusted {
                chosen = chosen.map { market.splitAdjusted($0, of: security, on: session.date, asOf: today) }
            }
            result += chosen
        }
        return BarBuckets.combine(result, into: query.timeframe)
    }

    /// The JSON page for `query`; `baseURL` is how the client reached us (for `next_url`).
    func page(for query: AggregatesQuery, nowMs: Int64, baseURL: String, requestID: String) -> [UInt8] {
        var all = bars(for: query, nowMs: nowMs)
        if !query.ascending { all.reverse() }
        let page = all.prefix(query.limit)
        var json = JSONWriter(capacity: 64 + page.count * 110)
        json.raw("{")
        json.key("ticker"); json.string(query.ticker)
        json.raw(",\"queryCount\":\(page.count),\"resultsCount\":\(page.count),\"adjusted\":\(query.adjusted)")
        if !page.isEmpty {
            json.raw(",\"results\":[")
            for (index, bar) in page.enumerated() {
                if index > 0 { json.raw(",") }
                Self.write(bar, into: &json)
            }
            json.raw("]")
        }
        json.raw(",\"status\":\"OK\",\"request_id\":"); json.string(requestID)
        json.raw(",\"count\":\(page.count)")
        if all.count > query.limit {
            json.raw(",\"next_url\":"); json.string(nextURL(query, next: all[query.limit], baseURL: baseURL))
        }
        json.raw("}")
        return json.bytes
    }

    static func write(_ bar: Bar, into json: inout JSONWriter) {
        json.raw("{\"v\":"); json.number(bar.volume)
        if let vwap = bar.vwap { json.raw(",\"vw\":"); json.number(vwap) }
        json.raw(",\"o\":"); json.number(bar.open)
        json.raw(",\"c\":"); json.number(bar.close)
        json.raw(",\"h\":"); json.number(bar.high)
        json.raw(",\"l\":"); json.number(bar.low)
        json.raw(",\"t\":"); json.number(bar.windowStartMs)
        if let trades = bar.transactions { json.raw(",\"n\":"); json.number(trades) }
        json.raw("}")
    }

    private func nextURL(_ query: AggregatesQuery, next: Bar, baseURL: String) -> String {
        let cursor = Cursor.encode([
            ("adjusted", "\(query.adjusted)"), ("limit", "\(query.limit)"), ("sort", query.ascending ? "asc" : "desc"),
        ])
        let from = query.ascending ? next.windowStartMs : query.fromMs
        let to = query.ascending ? query.toText : String(next.windowStartMs)
        return "\(baseURL)/v2/aggs/ticker/\(query.ticker)/range/\(query.timeframe.multiplier)/"
            + "\(query.timeframe.polygonTimespan)/\(from)/\(to)?cursor=\(cursor)"
    }
}
