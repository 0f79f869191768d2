import BackfillCore
import Foundation
import Logging
import PostgresNIO
import Storage

/// Reference data on PostgreSQL with the SQLite store's semantics: identities merge unidentified
/// securities (``PostgresIdentityMerge``), actions and news are idempotent upserts counting only
/// real changes, and a phase's data commits with its sync mark.
extension PostgresBarStore: ReferenceStore {
    public func saveSecurity(_ identity: SecurityIdentity, marking mark: SyncMark?) async throws -> IdentityOutcome {
        let names = identity.names.map(\.ticker).joined(separator: "→")
        return try await transaction("store the identity of \(names)") { [self] context in
            try await Self.lockCreation(context)
            let outcome = try await PostgresIdentityMerge(context: context, identity: identity).run()
            if let mark { try await Self.saveMark(mark, context) }
            return outcome
        }
    }

    public func saveSecurities(_ identities: [SecurityIdentity], marking mark: SyncMark?) async throws
        -> [IdentityOutcome]
    {
        try await transaction("store the identities of \(identities.count) securities") { [self] context in
            try await Self.lockCreation(context)
            var outcomes: [IdentityOutcome] = []
            outcomes.reserveCapacity(identities.count)
            for identity in identities {
                outcomes.append(try await PostgresIdentityMerge(context: context, identity: identity).run())
            }
            if let mark { try await Self.saveMark(mark, context) }
            return outcomes
        }
    }

    /// Securities are created under one lock (``PostgresSecurities``), so a bar writer meeting a
    /// ticker while its identity is stored waits and then finds it, instead of creating a second one.
    private static func lockCreation(_ context: PostgresWriteContext) async throws {
        try await context.connection.query(
            "SELECT pg_advisory_xact_lock(\(PostgresSecurityBatch.creationLock))", logger: context.logger)
    }

    public func security(ticker: String) async throws -> StoredSecurity? {
        try await read("the security named \(ticker)") { [self] connection in
            let securities = PostgresSecurities(connection: connection, logger: logger)
            guard let id = try await securities.existing(ticker: ticker) else { return nil }
            let names = try await connection.query(
                """
                SELECT ticker, first_day::text, last_day::text FROM ticker_names
                WHERE security_id = \(id) ORDER BY from_ms, ticker
                """, logger: logger)
            var tickers: [TickerName] = []
            for try await (name, first, last) in names.decode((String, String?, String?).self) {
                tickers.append(
                    TickerName(
                        ticker: name, first: first.flatMap { LocalDate($0) }, last: last.flatMap { LocalDate($0) }))
            }
            let rows = try await connection.query(
                """
                SELECT ticker, composite_figi, share_class_figi, cik, name, type, primary_exchange, active,
                    list_date::text, delist_date::text
                FROM securities WHERE id = \(id)
                """, logger: logger)
            for try await (current, figi, shareClass, cik, name, type, exchange, active, listed, delisted)
                in rows.decode(
                    (String, String?, String?, String?, String?, String?, String?, Bool, String?, String?).self)
            {
                let identity = SecurityIdentity(
                    compositeFIGI: figi, shareClassFIGI: shareClass, cik: cik, name: name, type: type,
                    primaryExchange: exchange, active: active, listDate: listed.flatMap { LocalDate($0) },
                    delistDate: delisted.flatMap { LocalDate($0) }, names: tickers)
                return StoredSecurity(id: id, ticker: current, identity: identity)
            }
            return nil
        }
    }

    public func saveActions(splits: [SplitRow], dividends: [DividendRow], marking mark: SyncMark?) async throws -> Int {
        try await transaction("store \(splits.count) splits and \(dividends.count) dividends") { [self] context in
            var changed = 0
            for row in splits {
                let id = try await context.securities.id(ticker: row.ticker, on: row.split.executionDate)
                changed += try await PostgresActions(context: context).save(row, securityID: id)
            }
            for row in dividends {
                let id = try await context.securities.id(ticker: row.ticker, on: row.dividend.exDividendDate)
                changed += try await PostgresActions(context: context).save(row, securityID: id)
            }
            if let mark { try await Self.saveMark(mark, context) }
            return changed
        }
    }

    public func corporateActions(symbol: String) async throws -> (splits: [Split], dividends: [CashDividend]) {
        let actions = try await read("the corporate actions of \(symbol)") { [self] connection in
            let securities = PostgresSecurities(connection: connection, logger: logger)
            guard let id = try await securities.existing(ticker: symbol) else { return StoredActions() }
            return try await PostgresActions.actions(connection, securityID: id, logger)
        }
        return (actions.splits, actions.dividends)
    }

    public func saveNews(_ articles: [NewsRow], marking mark: SyncMark?) async throws -> Int {
        try await transaction("store \(articles.count) news articles") { [self] context in
            var added = 0
            for article in articles {
                added += try await PostgresNews(context: context).save(article)
            }
            if let mark { try await Self.saveMark(mark, context) }
            return added
        }
    }

    public func news(symbol: String, fromMs: Int64, toMs: Int64, limit: Int) async throws -> [NewsRow] {
        try await read("news of \(symbol)") { [self] connection in
            let id = try await PostgresSecurities(connection: connection, logger: logger).existing(ticker: symbol)
            return try await PostgresNews.articles(
                connection, securityID: id, ticker: symbol, fromMs: fromMs, toMs: toMs, limit: limit, logger)
        }
    }

    public func syncState(phase: String, scope: String) async throws -> SyncMark? {
        try await read("the \(phase) sync state of \(scope)") { [self] connection in
            let rows = try await connection.query(
                "SELECT first_day::text, last_day::text FROM sync_state WHERE phase = \(phase) AND scope = \(scope)",
                logger: logger)
            for try await (first, last) in rows.decode((String?, String).self) {
                guard let last = LocalDate(last) else { return nil }
                return SyncMark(phase: phase, scope: scope, first: first.flatMap { LocalDate($0) }, last: last)
            }
            return nil
        }
    }

    public func saveSyncState(_ mark: SyncMark) async throws {
        try await transaction("store the \(mark.phase) sync state of \(mark.scope)") { [self] context in
            try await Self.saveMark(mark, context)
        }
    }

    static func saveMark(_ mark: SyncMark, _ context: PostgresWriteContext) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        try await context.connection.query(
            """
            INSERT INTO sync_state (phase, scope, first_day, last_day, updated_at_ms)
            VALUES (\(mark.phase), \(mark.scope), \(mark.first?.description)::date, \(mark.last.description)::date,
                \(now))
            ON CONFLICT (phase, scope) DO UPDATE SET first_day = excluded.first_day, last_day = excluded.last_day,
                updated_at_ms = excluded.updated_at_ms
            """, logger: context.logger)
    }

    /// Bars of the security a ticker names with splits (and dividends) applied on read, through
    /// ``AdjustmentFactors`` built from the stored actions and daily closes; the stored bars stay raw.
    public func bars(
        symbol: String, timeframe: Timeframe, fromMs: Int64, toMs: Int64, limit: Int, adjustment: BarAdjustment
    ) async throws -> [Bar] {
        let raw = try await bars(symbol: symbol, timeframe: timeframe, fromMs: fromMs, toMs: toMs, limit: limit)
        guard adjustment != .none, !raw.isEmpty, let factors = try await adjustmentFactors(symbol: symbol) else {
            return raw
        }
        return factors.adjusted(raw, kind: adjustment == .splits ? .splits : .all)
    }

    /// The factors of one security from its stored splits and dividends and its stored daily closes.
    public func adjustmentFactors(symbol: String) async throws -> AdjustmentFactors? {
        let found: StoredFactors? = try await read("adjustment factors of \(symbol)") { [self] connection in
            let securities = PostgresSecurities(connection: connection, logger: logger)
            guard let id = try await securities.existing(ticker: symbol) else { return nil }
            let actions = try await PostgresActions.actions(connection, securityID: id, logger)
            let rows = try await connection.query(
                "SELECT t, c FROM bars_day WHERE security_id = \(id) ORDER BY t", logger: logger)
            var closes: [SessionClose] = []
            for try await (t, close) in rows.decode((Int64, Double).self) {
                closes.append(SessionClose(date: EasternTime.date(containing: t), close: close))
            }
            return StoredFactors(actions: actions, closes: closes)
        }
        return found.map {
            AdjustmentFactors(splits: $0.actions.splits, dividends: $0.actions.dividends, closes: $0.closes)
        }
    }
}

/// A security's stored actions and closes, carried out of the pool's closure.
struct StoredFactors: Sendable {
    var actions: StoredActions
    var closes: [SessionClose]
}
