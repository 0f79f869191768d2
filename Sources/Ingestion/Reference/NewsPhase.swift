import BackfillCore
import Foundation
import Logging
import Polygon
import Storage

/// Phase 5: news per named ticker over the range (`/v2/reference/news`), each article stored once
/// by its id with the tickers it mentions. Resumes from the span already fetched: only the days of
/// the range outside it are asked (today's news is fetched but not marked, so it is asked again).
public struct NewsPhase: Sendable {
    public static let name = "news"
    public let client: RESTClient
    public let store: any ReferenceStore
    public let logger: Logger

    public init(client: RESTClient, store: any ReferenceStore, logger: Logger) {
        self.client = client
        self.store = store
        self.logger = logger
    }

    public func run(_ request: BackfillRequest) async -> PhaseReport {
        if request.allTickers {
            return .notRun(.news, "news is fetched per ticker; name --tickers (or --all --limit N)")
        }
        let context = PhaseContext(client: client)
        var report = PhaseReport(phase: .news)
        var seen = 0
        let range = DayRange(request.range.first, min(request.range.last, request.today)) ?? request.range
        for ticker in request.tickers {
            if Task.isCancelled { break }
            do {
                let previous = try await store.syncState(phase: Self.name, scope: ticker)
                let (missing, span) = Self.plan(range, done: previous)
                if missing.isEmpty {
                    report.skipped += 1
                    continue
                }
                var articles: [NewsRow] = []
                for piece in missing {
                    let fetched = try await client.news(ticker: ticker, range: piece)
                    articles += fetched.compactMap(Self.row)
                    for bad in fetched where Self.row(bad) == nil {
                        logger.warning(
                            "news: skipping article \(bad.id) of \(ticker): published_utc '\(bad.publishedUTC)' is not an instant",
                            metadata: [MetadataKey.symbol: "\(ticker)"])
                    }
                }
                let complete = DayRange(span.first, min(span.last, request.today.adding(days: -1)))
                let mark = complete.map { SyncMark(phase: Self.name, scope: ticker, first: $0.first, last: $0.last) }
                report.changed += try await store.saveNews(articles, marking: mark)
                seen += articles.count
                report.fetched += 1
            } catch {
                if Task.isCancelled { break }
                logger.error(
                    "news failed", metadata: [MetadataKey.symbol: "\(ticker)", MetadataKey.reason: "\(error)"])
                report.failures.append(BackfillFailure(item: "\(ticker) news", message: String(describing: error)))
            }
        }
        report.requests = context.requests
        report.detail = "\(seen) articles seen"
        return report
    }

    /// The days to fetch and the span fetched afterwards: the hull of the range and what was done
    /// before, less what was done (so the span stays one interval).
    static func plan(_ range: DayRange, done: SyncMark?) -> (missing: [DayRange], span: DayRange) {
        guard let done, let first = done.first, let previous = DayRange(first, done.last) else {
            return ([range], range)
        }
        let hull = DayRange(min(range.first, first), max(range.last, previous.last)) ?? range
        return (hull.subtracting([previous]), hull)
    }

    static func row(_ article: NewsArticle) -> NewsRow? {
        guard let published = ISOTime.milliseconds(article.publishedUTC) else { return nil }
        let sentiments = Dictionary(
            (article.insights ?? []).map { ($0.ticker, $0.sentiment) }, uniquingKeysWith: { first, _ in first })
        return NewsRow(
            id: article.id, publishedMs: published, publisher: article.publisher.name, title: article.title,
            author: article.author, articleURL: article.articleURL, description: article.description,
            imageURL: article.imageURL, keywords: article.keywords ?? [],
            mentions: article.tickers.map { NewsRow.Mention(ticker: $0, sentiment: sentiments[$0] ?? nil) })
    }
}
