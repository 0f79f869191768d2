import BackfillCore

/// `/v2/reference/news`: deterministic articles, about one per security every few weeks, published
/// during market hours and tagged with the ticker the security had that day (sometimes a second).
struct NewsEndpoint: Sendable {
    let market: SyntheticMarket

    static let publishers = [
        ("Sandbox Wire", "https://news.sandbox.invalid/"), ("Synthetic Markets Daily", "https://smd.sandbox.invalid/"),
        ("Backfill Business", "https://bb.sandbox.invalid/"),
    ]

    func news(_ request: ListRequest, nowMs: Int64) -> Result<[UInt8], SandboxRequestError> {
        let limit: Int
        switch request.limit(default: 10, maximum: 1_000) {
        case .success(let value): limit = value
        case .failure(let error): return .failure(error)
        }
        let today = EasternTime.date(containing: nowMs)
        let first =
            bound(request, ["published_utc.gte", "published_utc.gt", "published_utc"])
            ?? (request["ticker"] == nil ? today.adding(days: -90) : SyntheticMarket.origin)
        let last = min(bound(request, ["published_utc.lte", "published_utc.lt", "published_utc"]) ?? today, today)
        guard let range = DayRange(first, last) else { return .success(page([], request, limit)) }
        let securities =
            request["ticker"].map { market.universe.securities(everNamed: $0) } ?? market.universe.securities
        var rows = securities.flatMap { articles(for: $0, in: range) }.filter { row in
            row.published_utc.prefix(13) <= "\(today)T23" && request.passesRange("published_utc", row.published_utc)
                && (request["ticker"].map { row.tickers.contains($0) } ?? true)
        }
        rows.sort { ($0.published_utc, $0.id) > ($1.published_utc, $1.id) }  // newest first by default
        if request["order"] == "asc" { rows.reverse() }
        return .success(page(rows, request, limit))
    }

    private func bound(_ request: ListRequest, _ keys: [String]) -> LocalDate? {
        keys.lazy.compactMap { request[$0] }.first.flatMap { LocalDate($0.prefix(10)) }
    }

    func articles(for security: SyntheticSecurity, in range: DayRange) -> [NewsJSON] {
        var result: [NewsJSON] = []
        for session in market.calendar.sessions(in: range) {
            var rng = SplitMix64(
                seed: SplitMix64.stableHash(security.compositeFIGI, seed: 0x4E45_5753)
                    ^ UInt64(session.date.daysSinceEpoch))
            guard rng.nextUnit() < 0.05, let ticker = security.ticker(on: session.date) else { continue }
            let minute = Int64(rng.next() % UInt64((session.postMarketCloseMs - session.preMarketOpenMs) / 60_000))
            let published = session.preMarketOpenMs + minute * 60_000 + Int64(rng.next() % 60) * 1_000
            result.append(article(security, ticker: ticker, publishedMs: published, rng: &rng))
        }
        return result
    }

    private func article(_ security: SyntheticSecurity, ticker: String, publishedMs: Int64, rng: inout SplitMix64)
        -> NewsJSON
    {
        let publisher = Self.publishers[Int(rng.next() % UInt64(Self.publishers.count))]
        let positive = rng.nextUnit() < 0.55
        let topic = ["quarterly results", "guidance", "a product launch", "an analyst note", "a contract win"][
            Int(rng.next() % 5)]
        let id = String(SplitMix64.stableHash("\(security.compositeFIGI)\(publishedMs)"), radix: 16)
        return NewsJSON(
            id: id,
            publisher: .init(
                name: publisher.0, homepage_url: publisher.1, logo_url: publisher.1 + "logo.png",
                favicon_url: publisher.1 + "favicon.ico"),
            title: "\(security.name) (\(ticker)) shares \(positive ? "rise" : "slip") after \(topic)",
            author: "Sandbox Desk", published_utc: SandboxJSON.iso(publishedMs),
            article_url: "\(publisher.1)articles/\(id)", tickers: [ticker],
            description: "Synthetic coverage of \(topic) at \(security.name).", keywords: [topic, ticker],
            insights: [
                .init(
                    ticker: ticker, sentiment: positive ? "positive" : "negative",
                    sentiment_reasoning:
                        "The article reports \(topic) that the market took \(positive ? "well" : "badly").")
            ])
    }

    private func page(_ rows: [NewsJSON], _ request: ListRequest, _ limit: Int) -> [UInt8] {
        let (items, next) = request.page(rows, limit: limit)
        return SandboxJSON.encode(
            ListEnvelope(results: Array(items), requestID: "news", count: items.count, nextURL: next))
    }
}
