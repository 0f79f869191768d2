import BackfillCore
import Logging
import PostgresNIO
import Storage

/// Resolves many tickers on one day in a few set-based statements (a day file names ~10,000), with
/// the same rules as ``PostgresSecurities``: the holder whose name interval contains the day; a new
/// security when every holder stopped well before it; else the current (or last) holder; created
/// when unknown. Creation runs under one transaction-scoped advisory lock, so concurrent writers
/// create each security once.
struct PostgresSecurityBatch {
    let connection: PostgresConnection
    let logger: Logger

    /// Arbitrary constant naming the bulk security-creation lock.
    static let creationLock: Int64 = 0x4261_636B_5365_6375

    func ids(tickers: [String], on day: LocalDate) async throws -> [String: Int64] {
        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.creationLock))", logger: logger)
        let unique = Array(Set(tickers))
        var ids = try await dated(unique, on: day)
        let rest = unique.filter { ids[$0] == nil }
        let ended = try await endedBefore(rest, day: day)
        for (ticker, id) in try await current(rest.filter { !ended.contains($0) }) { ids[ticker] = id }
        let missing = rest.filter { ids[$0] == nil }
        for (ticker, id) in try await create(missing) { ids[ticker] = id }
        return ids
    }

    private func dated(_ tickers: [String], on day: LocalDate) async throws -> [String: Int64] {
        let text = day.description
        return try await pairs(
            connection.query(
                """
                SELECT DISTINCT ON (ticker) ticker, security_id FROM ticker_names
                WHERE ticker = ANY(\(tickers)::text[])
                    AND (first_day IS NULL OR first_day <= \(text)::date)
                    AND (last_day IS NULL OR last_day >= \(text)::date)
                ORDER BY ticker, last_day IS NULL DESC, last_day DESC NULLS LAST, first_day DESC NULLS LAST
                """, logger: logger))
    }

    private func current(_ tickers: [String]) async throws -> [String: Int64] {
        guard !tickers.isEmpty else { return [:] }
        return try await pairs(
            connection.query(
                """
                SELECT DISTINCT ON (ticker) ticker, security_id FROM ticker_names
                WHERE ticker = ANY(\(tickers)::text[])
                ORDER BY ticker, last_day IS NULL DESC, last_day DESC NULLS LAST, first_day DESC NULLS LAST
                """, logger: logger))
    }

    /// Tickers whose every holder stopped using them more than the grace days before `day`.
    private func endedBefore(_ tickers: [String], day: LocalDate) async throws -> Set<String> {
        guard !tickers.isEmpty else { return [] }
        let limit = day.adding(days: -PostgresSecurities.reuseGraceDays).description
        let rows = try await connection.query(
            """
            SELECT ticker FROM ticker_names WHERE ticker = ANY(\(tickers)::text[]) GROUP BY ticker
            HAVING COUNT(*) FILTER (WHERE last_day IS NULL OR last_day >= \(limit)::date) = 0
            """, logger: logger)
        var ended = Set<String>()
        for try await ticker in rows.decode(String.self) { ended.insert(ticker) }
        return ended
    }

    private func create(_ tickers: [String]) async throws -> [String: Int64] {
        guard !tickers.isEmpty else { return [:] }
        let created = try await pairs(
            connection.query(
                """
                INSERT INTO securities (ticker) SELECT unnest(\(tickers)::text[]) RETURNING ticker, id
                """, logger: logger))
        try await connection.query(
            """
            INSERT INTO ticker_names (ticker, security_id, first_day, last_day, from_ms, until_ms)
            SELECT ticker, id, NULL, NULL, \(PostgresSchema.openFromMs), \(PostgresSchema.openUntilMs)
            FROM unnest(\(Array(created.keys))::text[], \(Array(created.values))::bigint[]) AS u(ticker, id)
            """, logger: logger)
        return created
    }

    private func pairs(_ rows: PostgresRowSequence) async throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        for try await (ticker, id) in rows.decode((String, Int64).self) { result[ticker] = id }
        return result
    }
}
