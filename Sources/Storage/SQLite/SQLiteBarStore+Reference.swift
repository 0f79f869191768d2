import BackfillCore
import Foundation
import GRDB

extension SQLiteBarStore: ReferenceStore {
    public func saveSecurity(_ identity: SecurityIdentity, marking mark: SyncMark?) async throws -> IdentityOutcome {
        let names = identity.names.map(\.ticker).joined(separator: "→")
        return try await write("the identity of \(names)") { db in
            let outcome = try IdentityMerge(db: db, identity: identity).run()
            if let mark { try Self.saveMark(db, mark) }
            return outcome
        }
    }

    public func saveSecurities(_ identities: [SecurityIdentity], marking mark: SyncMark?) async throws
        -> [IdentityOutcome]
    {
        try await write("the identities of \(identities.count) securities") { db in
            let outcomes = try identities.map { try IdentityMerge(db: db, identity: $0).run() }
            if let mark { try Self.saveMark(db, mark) }
            return outcomes
        }
    }

    public func security(ticker: String) async throws -> StoredSecurity? {
        try await read("the security named \(ticker)") { db in
            guard let id = try Self.existingSecurityID(db, ticker: ticker, on: nil),
                let row = try Row.fetchOne(db, sql: "SELECT * FROM securities WHERE id = ?", arguments: [id])
            else { return nil }
            let names = try Row.fetchAll(
                db, sql: "SELECT ticker, first_day, last_day FROM ticker_names WHERE security_id = ? ORDER BY from_ms",
                arguments: [id]
            ).map {
                TickerName(
                    ticker: $0[0], first: ($0[1] as String?).flatMap { LocalDate($0) },
                    last: ($0[2] as String?).flatMap { LocalDate($0) })
            }
            let identity = SecurityIdentity(
                compositeFIGI: row["composite_figi"], shareClassFIGI: row["share_class_figi"], cik: row["cik"],
                name: row["name"], type: row["type"], primaryExchange: row["primary_exchange"],
                active: row["active"], listDate: (row["list_date"] as String?).flatMap { LocalDate($0) },
                delistDate: (row["delist_date"] as String?).flatMap { LocalDate($0) }, names: names)
            return StoredSecurity(id: id, ticker: row["ticker"], identity: identity)
        }
    }

    public func saveActions(splits: [SplitRow], dividends: [DividendRow], marking mark: SyncMark?) async throws -> Int {
        try await write("\(splits.count) splits and \(dividends.count) dividends") { db in
            var changed = 0
            for row in splits {
                let id = try Self.securityID(db, ticker: row.ticker, on: row.split.executionDate)
                try db.execute(
                    sql: """
                        INSERT INTO splits (key, security_id, ticker, execution_date, split_from, split_to,
                                            adjustment_type, historical_factor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (key) DO UPDATE SET security_id = excluded.security_id, ticker = excluded.ticker,
                            execution_date = excluded.execution_date, split_from = excluded.split_from,
                            split_to = excluded.split_to, adjustment_type = excluded.adjustment_type,
                            historical_factor = excluded.historical_factor
                        WHERE (security_id, ticker, execution_date, split_from, split_to) IS NOT
                            (excluded.security_id, excluded.ticker, excluded.execution_date, excluded.split_from,
                             excluded.split_to)
                            OR adjustment_type IS NOT excluded.adjustment_type
                            OR historical_factor IS NOT excluded.historical_factor
                        """,
                    arguments: [
                        row.key, id, row.ticker, row.split.executionDate.description, row.split.splitFrom,
                        row.split.splitTo, row.adjustmentType, row.historicalFactor,
                    ])
                changed += db.changesCount
            }
            for row in dividends {
                changed += try Self.saveDividend(db, row)
            }
            if let mark { try Self.saveMark(db, mark) }
            return changed
        }
    }

    private static func saveDividend(_ db: Database, _ row: DividendRow) throws -> Int {
        let id = try securityID(db, ticker: row.ticker, on: row.dividend.exDividendDate)
        try db.execute(
            sql: """
                INSERT INTO dividends (key, security_id, ticker, ex_dividend_date, cash_amount, currency, declaration_date,
                                       record_date, pay_date, frequency, distribution_type, historical_factor)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET security_id = excluded.security_id, ticker = excluded.ticker,
                    ex_dividend_date = excluded.ex_dividend_date, cash_amount = excluded.cash_amount,
                    currency = excluded.currency, declaration_date = excluded.declaration_date,
                    record_date = excluded.record_date, pay_date = excluded.pay_date, frequency = excluded.frequency,
                    distribution_type = excluded.distribution_type, historical_factor = excluded.historical_factor
                WHERE (security_id, ticker, ex_dividend_date, cash_amount) IS NOT
                    (excluded.security_id, excluded.ticker, excluded.ex_dividend_date, excluded.cash_amount)
                    OR (currency, declaration_date, record_date, pay_date, frequency, distribution_type) IS NOT
                    (excluded.currency, excluded.declaration_date, excluded.record_date, excluded.pay_date,
                     excluded.frequency, excluded.distribution_type)
                    OR historical_factor IS NOT excluded.historical_factor
                """,
            arguments: [
                row.key, id, row.ticker, row.dividend.exDividendDate.description, row.dividend.cashAmount, row.currency,
                row.declarationDate, row.recordDate, row.payDate, row.frequency, row.distributionType,
                row.historicalFactor,
            ])
        return db.changesCount
    }

    public func corporateActions(symbol: String) async throws -> (splits: [Split], dividends: [CashDividend]) {
        try await read("the corporate actions of \(symbol)") { db in
            guard let id = try Self.existingSecurityID(db, ticker: symbol, on: nil) else { return ([], []) }
            return try Self.actions(db, securityID: id)
        }
    }

    static func actions(_ db: Database, securityID id: Int64) throws -> (splits: [Split], dividends: [CashDividend]) {
        let splits = try Row.fetchAll(
            db,
            sql:
                "SELECT execution_date, split_from, split_to FROM splits WHERE security_id = ? ORDER BY execution_date",
            arguments: [id]
        ).compactMap { row -> Split? in
            LocalDate(row[0] as String).map { Split(executionDate: $0, splitFrom: row[1], splitTo: row[2]) }
        }
        let dividends = try Row.fetchAll(
            db,
            sql: """
                SELECT ex_dividend_date, cash_amount FROM dividends WHERE security_id = ? ORDER BY ex_dividend_date
                """, arguments: [id]
        ).compactMap { row -> CashDividend? in
            LocalDate(row[0] as String).map { CashDividend(exDividendDate: $0, cashAmount: row[1]) }
        }
        return (splits, dividends)
    }

    public func saveNews(_ articles: [NewsRow], marking mark: SyncMark?) async throws -> Int {
        try await write("\(articles.count) news articles") { db in
            var added = 0
            for article in articles {
                let keywords = String(decoding: try JSONEncoder().encode(article.keywords), as: UTF8.self)
                try db.execute(
                    sql: """
                        INSERT INTO news (id, published_ms, publisher, title, author, article_url, description,
                                          image_url, keywords) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO NOTHING
                        """,
                    arguments: [
                        article.id, article.publishedMs, article.publisher, article.title, article.author,
                        article.articleURL, article.description, article.imageURL, keywords,
                    ])
                added += db.changesCount
                let day = EasternTime.date(containing: article.publishedMs)
                for mention in article.mentions {
                    let id = try Self.existingSecurityID(db, ticker: mention.ticker, on: day)
                    try db.execute(
                        sql: """
                            INSERT INTO news_tickers (news_id, ticker, security_id, sentiment) VALUES (?, ?, ?, ?)
                            ON CONFLICT (news_id, ticker) DO UPDATE SET security_id = excluded.security_id,
                                sentiment = excluded.sentiment
                            WHERE security_id IS NOT excluded.security_id OR sentiment IS NOT excluded.sentiment
                            """, arguments: [article.id, mention.ticker, id, mention.sentiment])
                }
            }
            if let mark { try Self.saveMark(db, mark) }
            return added
        }
    }

    public func news(symbol: String, fromMs: Int64, toMs: Int64, limit: Int) async throws -> [NewsRow] {
        try await read("news of \(symbol)") { db in
            let id = try Self.existingSecurityID(db, ticker: symbol, on: nil)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT a.* FROM news a JOIN news_tickers m ON m.news_id = a.id
                    WHERE (m.security_id = ? OR (m.security_id IS NULL AND m.ticker = ?))
                        AND a.published_ms BETWEEN ? AND ?
                    ORDER BY a.published_ms DESC, a.id LIMIT ?
                    """, arguments: [id, symbol, fromMs, toMs, limit])
            return try rows.map { row in
                let id: String = row["id"]
                let mentions = try Row.fetchAll(
                    db, sql: "SELECT ticker, sentiment FROM news_tickers WHERE news_id = ? ORDER BY ticker",
                    arguments: [id]
                ).map { NewsRow.Mention(ticker: $0[0], sentiment: $0[1]) }
                let keywords = (row["keywords"] as String?).flatMap {
                    try? JSONDecoder().decode([String].self, from: Data($0.utf8))
                }
                return NewsRow(
                    id: id, publishedMs: row["published_ms"], publisher: row["publisher"], title: row["title"],
                    author: row["author"], articleURL: row["article_url"], description: row["description"],
                    imageURL: row["image_url"], keywords: keywords ?? [], mentions: mentions)
            }
        }
    }

    public func syncState(phase: String, scope: String) async throws -> SyncMark? {
        try await read("the \(phase) sync state of \(scope)") { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT first_day, last_day FROM sync_state WHERE phase = ? AND scope = ?",
                    arguments: [phase, scope]),
                let last = LocalDate(row[1] as String)
            else { return nil }
            return SyncMark(
                phase: phase, scope: scope, first: (row[0] as String?).flatMap { LocalDate($0) }, last: last)
        }
    }

    public func saveSyncState(_ mark: SyncMark) async throws {
        try await write("the \(mark.phase) sync state of \(mark.scope)") { db in try Self.saveMark(db, mark) }
    }

    static func saveMark(_ db: Database, _ mark: SyncMark) throws {
        try db.execute(
            sql: """
                INSERT INTO sync_state (phase, scope, first_day, last_day, updated_at_ms) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (phase, scope) DO UPDATE SET first_day = excluded.first_day, last_day = excluded.last_day,
                    updated_at_ms = excluded.updated_at_ms
                """,
            arguments: [
                mark.phase, mark.scope, mark.first?.description, mark.last.description,
                Int64(Date().timeIntervalSince1970 * 1_000),
            ])
    }

    func write<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.write, "cannot store \(what) in '\(path)'", underlying: error)
        }
    }
}
