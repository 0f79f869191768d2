import BackfillCore
import Logging
import PostgresNIO
import Storage

/// News articles stored once each (by id) with the tickers they mention, each mention linked to
/// the security the ticker named on the day of publication (as the SQLite store does).
struct PostgresNews {
    let context: PostgresWriteContext

    /// Returns 1 when the article was new, else 0 (its mentions are refreshed either way).
    func save(_ article: NewsRow) async throws -> Int {
        let connection = context.connection
        let logger = context.logger
        var added = 0
        let rows = try await connection.query(
            """
            INSERT INTO news (id, published_ms, publisher, title, author, article_url, description, image_url,
                              keywords)
            VALUES (\(article.id), \(article.publishedMs), \(article.publisher), \(article.title), \(article.author),
                \(article.articleURL), \(article.description), \(article.imageURL), \(article.keywords)::text[])
            ON CONFLICT (id) DO NOTHING RETURNING 1
            """, logger: logger)
        for try await _ in rows { added += 1 }
        let day = EasternTime.date(containing: article.publishedMs)
        for mention in article.mentions {
            let id = try await context.securities.existing(ticker: mention.ticker, on: day)
            try await connection.query(
                """
                INSERT INTO news_tickers AS m (news_id, ticker, security_id, sentiment)
                VALUES (\(article.id), \(mention.ticker), \(id), \(mention.sentiment))
                ON CONFLICT (news_id, ticker) DO UPDATE SET security_id = excluded.security_id,
                    sentiment = excluded.sentiment
                WHERE (m.security_id, m.sentiment) IS DISTINCT FROM (excluded.security_id, excluded.sentiment)
                """, logger: logger)
        }
        return added
    }

    /// Articles about a security (or, unlinked, about the ticker), newest first; ties by id in
    /// byte order, as SQLite sorts.
    static func articles(
        _ connection: PostgresConnection, securityID id: Int64?, ticker: String, fromMs: Int64, toMs: Int64,
        limit: Int, _ logger: Logger
    ) async throws -> [NewsRow] {
        let rows = try await connection.query(
            """
            SELECT id, published_ms, publisher, title, author, article_url, description, image_url, keywords
            FROM news WHERE id IN (
                SELECT news_id FROM news_tickers
                WHERE security_id = \(id) OR (security_id IS NULL AND ticker = \(ticker)))
                AND published_ms BETWEEN \(fromMs) AND \(toMs)
            ORDER BY published_ms DESC, id COLLATE "C" LIMIT \(limit)
            """, logger: logger)
        var articles: [NewsRow] = []
        for try await (id, published, publisher, title, author, url, description, image, keywords) in rows.decode(
            (String, Int64, String, String, String?, String, String?, String?, [String]).self)
        {
            articles.append(
                NewsRow(
                    id: id, publishedMs: published, publisher: publisher, title: title, author: author,
                    articleURL: url, description: description, imageURL: image, keywords: keywords, mentions: []))
        }
        guard !articles.isEmpty else { return [] }
        let mentions = try await connection.query(
            """
            SELECT news_id, ticker, sentiment FROM news_tickers WHERE news_id = ANY(\(articles.map(\.id))::text[])
            ORDER BY news_id, ticker COLLATE "C"
            """, logger: logger)
        var byArticle: [String: [NewsRow.Mention]] = [:]
        for try await (article, ticker, sentiment) in mentions.decode((String, String, String?).self) {
            byArticle[article, default: []].append(NewsRow.Mention(ticker: ticker, sentiment: sentiment))
        }
        return articles.map { article in
            var article = article
            article.mentions = byArticle[article.id] ?? []
            return article
        }
    }
}
