import BackfillCore
import Logging
import PostgresNIO
import Storage

/// Which security a ticker names, as the SQLite store resolves it: by the name interval that
/// contains the day, a new security when every holder stopped using the ticker well before it (a
/// reused ticker), else the current (or last) holder; created when the ticker is unknown.
///
/// Creation takes the transaction-scoped advisory lock ``PostgresSecurityBatch/creationLock`` and
/// looks again, so two connections writing a new ticker at once create one security, not two.
struct PostgresSecurities {
    let connection: PostgresConnection
    let logger: Logger

    /// Days after a holder's last day during which its ticker still resolves to it (as SQLite's).
    static let reuseGraceDays = 5

    /// The security `ticker` names on `day` (or now, when nil), created when needed.
    func id(ticker: String, on day: LocalDate? = nil) async throws -> Int64 {
        if let id = try await resolve(ticker: ticker, on: day) { return id }
        try await connection.query(
            "SELECT pg_advisory_xact_lock(\(PostgresSecurityBatch.creationLock))", logger: logger)
        if let id = try await resolve(ticker: ticker, on: day) { return id }
        return try await create(ticker: ticker)
    }

    /// Like ``id(ticker:on:)`` without creating anything.
    func existing(ticker: String, on day: LocalDate? = nil) async throws -> Int64? {
        if let day, let id = try await dated(ticker: ticker, on: day) { return id }
        return try await current(ticker: ticker)
    }

    /// The market-wide security (``BarStoreSymbols/allTickers``), if any.
    func market() async throws -> Int64? {
        try await single(
            connection.query("SELECT id FROM securities WHERE ticker = \(BarStoreSymbols.allTickers)", logger: logger))
    }

    /// nil: create one (unknown ticker, or a reused one).
    private func resolve(ticker: String, on day: LocalDate?) async throws -> Int64? {
        if let day {
            if let id = try await dated(ticker: ticker, on: day) { return id }
            if try await endedBefore(ticker: ticker, day: day) { return nil }
        }
        return try await current(ticker: ticker)
    }

    private func dated(ticker: String, on day: LocalDate) async throws -> Int64? {
        let text = day.description
        return try await single(
            connection.query(
                """
                SELECT security_id FROM ticker_names WHERE ticker = \(ticker)
                    AND (first_day IS NULL OR first_day <= \(text)::date)
                    AND (last_day IS NULL OR last_day >= \(text)::date)
                ORDER BY last_day IS NULL DESC, last_day DESC NULLS LAST, first_day DESC NULLS LAST LIMIT 1
                """, logger: logger))
    }

    private func current(ticker: String) async throws -> Int64? {
        try await single(
            connection.query(
                """
                SELECT security_id FROM ticker_names WHERE ticker = \(ticker)
                ORDER BY last_day IS NULL DESC, last_day DESC NULLS LAST, first_day DESC NULLS LAST LIMIT 1
                """, logger: logger))
    }

    /// Whether `ticker` has holders and every one stopped using it well before `day`.
    private func endedBefore(ticker: String, day: LocalDate) async throws -> Bool {
        let limit = day.adding(days: -Self.reuseGraceDays).description
        let rows = try await connection.query(
            """
            SELECT COUNT(*), COUNT(*) FILTER (WHERE last_day IS NULL OR last_day >= \(limit)::date)
            FROM ticker_names WHERE ticker = \(ticker)
            """, logger: logger)
        for try await (holders, current) in rows.decode((Int64, Int64).self) { return holders > 0 && current == 0 }
        return false
    }

    private func create(ticker: String) async throws -> Int64 {
        guard
            let id = try await single(
                connection.query("INSERT INTO securities (ticker) VALUES (\(ticker)) RETURNING id", logger: logger))
        else { throw StorageError(.write, "PostgreSQL returned no id for the new security \(ticker)") }
        try await connection.query(
            """
            INSERT INTO ticker_names (ticker, security_id, first_day, last_day, from_ms, until_ms)
            VALUES (\(ticker), \(id), NULL, NULL, \(PostgresSchema.openFromMs), \(PostgresSchema.openUntilMs))
            """, logger: logger)
        return id
    }

    /// A batch's bars split by the security the ticker named on each bar's date: one run in the
    /// usual case (one lookup for a one-day batch), several when a chunk spans a reused ticker's
    /// change of holder.
    func runs(ticker: String, bars: [Bar]) async throws -> [(Int64, [Bar])] {
        guard let first = bars.first, let last = bars.last else { return [] }
        let firstDay = EasternTime.date(containing: first.windowStartMs)
        let lastDay = EasternTime.date(containing: last.windowStartMs)
        let firstID = try await id(ticker: ticker, on: firstDay)
        guard lastDay != firstDay, try await id(ticker: ticker, on: lastDay) != firstID else {
            return [(firstID, bars)]
        }
        var byDay: [Int: Int64] = [:]
        var runs: [(Int64, [Bar])] = []
        for bar in bars {
            let day = EasternTime.date(containing: bar.windowStartMs)
            let id: Int64
            if let known = byDay[day.daysSinceEpoch] {
                id = known
            } else {
                id = try await self.id(ticker: ticker, on: day)
            }
            byDay[day.daysSinceEpoch] = id
            if runs.last?.0 == id { runs[runs.count - 1].1.append(bar) } else { runs.append((id, [bar])) }
        }
        return runs
    }

    private func single(_ rows: PostgresRowSequence) async throws -> Int64? {
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }
}
