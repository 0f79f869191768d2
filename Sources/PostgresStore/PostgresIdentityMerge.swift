import BackfillCore
import Logging
import PostgresNIO
import Storage

/// Stores one security's identity and names inside a write transaction, as the SQLite store's
/// `IdentityMerge`: the unidentified securities (created by bar writes before the reference data
/// was known) that held one of its names are merged into it — their bars inside the name's
/// interval move to the survivor (a row present under both keeps the survivor's), and every other
/// table keyed by `security_id` follows.
struct PostgresIdentityMerge {
    let context: PostgresWriteContext
    let identity: SecurityIdentity

    private var connection: PostgresConnection { context.connection }
    private var logger: Logger { context.logger }

    typealias Interval = NameInterval

    func run() async throws -> IdentityOutcome {
        let intervals = NameInterval.intervals(identity.names)
        guard let current = intervals.last?.name.ticker else {
            throw StorageError(.write, "security \(identity.compositeFIGI ?? "?") has no ticker name")
        }
        let holders = try await unidentifiedHolders(intervals)
        let survivor = try await survivorID(holders: holders, current: current)
        let before = try await snapshot(survivor)
        var merged = 0
        var moved = 0
        for (id, interval) in holders where id != survivor {
            moved += try await moveBars(from: id, to: survivor, interval: interval)
            if try await isEmpty(id) {
                try await absorb(id, into: survivor)
                merged += 1
            } else {
                try await trim(id, ticker: interval.name.ticker, around: interval)
            }
        }
        if moved > 0 {
            try await connection.query("DELETE FROM indicator_state WHERE security_id = \(survivor)", logger: logger)
        }
        try await saveNames(intervals, of: survivor)
        try await saveIdentity(of: survivor, current: current)
        let after = try await snapshot(survivor)
        let changed = moved > 0 || merged > 0 || before != after
        return IdentityOutcome(securityID: survivor, merged: merged, movedBars: moved, changed: changed)
    }

    /// Securities without a FIGI (or with this one) holding one of the names, with the interval
    /// they would give up.
    private func unidentifiedHolders(_ intervals: [Interval]) async throws -> [(Int64, Interval)] {
        var result: [(Int64, Interval)] = []
        for interval in intervals {
            let rows = try await connection.query(
                """
                SELECT n.security_id FROM ticker_names n JOIN securities s ON s.id = n.security_id
                WHERE n.ticker = \(interval.name.ticker)
                    AND (s.composite_figi IS NULL OR s.composite_figi = \(identity.compositeFIGI))
                ORDER BY n.security_id
                """, logger: logger)
            for try await id in rows.decode(Int64.self) { result.append((id, interval)) }
        }
        return result
    }

    /// The security with this FIGI, else the unidentified holder of the current name, else any
    /// holder, else a new row.
    private func survivorID(holders: [(Int64, Interval)], current: String) async throws -> Int64 {
        if let figi = identity.compositeFIGI,
            let id = try await single("SELECT id FROM securities WHERE composite_figi = \(figi)")
        {
            return id
        }
        if let id = holders.first(where: { $0.1.name.ticker == current })?.0 ?? holders.first?.0 { return id }
        guard let id = try await single("INSERT INTO securities (ticker) VALUES (\(current)) RETURNING id") else {
            throw StorageError(.write, "PostgreSQL returned no id for the new security \(current)")
        }
        return id
    }

    /// Moves the bars of `old` inside the interval; returns rows that were new under the survivor.
    private func moveBars(from old: Int64, to survivor: Int64, interval: Interval) async throws -> Int {
        var moved = 0
        for table in ["bars_minute", "bars_day"] {
            moved += Int(
                try await single(
                    """
                    WITH gone AS (
                        DELETE FROM \(unescaped: table)
                        WHERE security_id = \(old) AND t >= \(interval.fromMs) AND t < \(interval.untilMs)
                        RETURNING t, o, h, l, c, v, vw, n
                    ), added AS (
                        INSERT INTO \(unescaped: table) (security_id, t, o, h, l, c, v, vw, n)
                        SELECT \(survivor), t, o, h, l, c, v, vw, n FROM gone
                        ON CONFLICT (security_id, t) DO NOTHING RETURNING 1
                    ) SELECT COUNT(*) FROM added
                    """) ?? 0)
        }
        return moved
    }

    private func isEmpty(_ id: Int64) async throws -> Bool {
        try await single(
            """
            SELECT CASE WHEN EXISTS (SELECT 1 FROM bars_minute WHERE security_id = \(id))
                OR EXISTS (SELECT 1 FROM bars_day WHERE security_id = \(id)) THEN 1 ELSE 0 END
            """) == 0
    }

    /// Folds an emptied security into the survivor: coverage merges, and every table keyed by
    /// `security_id` (actions, news links, the ledger, other modules' tables) moves over, the
    /// survivor's row winning a conflict; then the old row goes.
    private func absorb(_ old: Int64, into survivor: Int64) async throws {
        let rows = try await connection.query(
            "SELECT DISTINCT timeframe FROM coverage WHERE security_id = \(old) ORDER BY timeframe", logger: logger)
        var timeframes: [Timeframe] = []
        for try await label in rows.decode(String.self) {
            if let timeframe = Timeframe(label: label) { timeframes.append(timeframe) }
        }
        for timeframe in timeframes {
            for range in try await PostgresReads.ranges(connection, securityID: old, timeframe: timeframe, logger) {
                try await context.writer.addCoverage(
                    securityID: survivor, timeframe: timeframe, range: range, source: .rest)
            }
        }
        for table in ["coverage", "indicator_state", "ticker_names"] {
            try await connection.query("DELETE FROM \(unescaped: table) WHERE security_id = \(old)", logger: logger)
        }
        for (table, otherKeys) in try await tablesKeyedBySecurity() {
            // UPDATE OR IGNORE: a row whose key the survivor already has stays behind and goes.
            let clash =
                otherKeys.isEmpty
                ? ""
                : "AND NOT EXISTS (SELECT 1 FROM \(table) x WHERE x.security_id = \(survivor) AND "
                    + otherKeys.map { "x.\($0) = \(table).\($0)" }.joined(separator: " AND ") + ")"
            try await connection.query(
                """
                UPDATE \(unescaped: table) SET security_id = \(survivor) WHERE security_id = \(old) \(unescaped: clash)
                """, logger: logger)
            try await connection.query("DELETE FROM \(unescaped: table) WHERE security_id = \(old)", logger: logger)
        }
        try await connection.query("DELETE FROM securities WHERE id = \(old)", logger: logger)
    }

    /// Every table with a `security_id` column other than the ones merged above, with the other
    /// columns of its primary key when `security_id` is part of it (a conflict is possible only then).
    private func tablesKeyedBySecurity() async throws -> [(String, [String])] {
        let rows = try await connection.query(
            """
            SELECT c.table_name::text,
                COALESCE((SELECT array_agg(a.attname::text ORDER BY a.attname)
                    FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                    WHERE i.indrelid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass
                        AND i.indisprimary AND a.attname <> 'security_id'
                        AND EXISTS (SELECT 1 FROM pg_attribute s WHERE s.attrelid = i.indrelid
                            AND s.attname = 'security_id' AND s.attnum = ANY(i.indkey))), '{}')
            FROM information_schema.columns c JOIN information_schema.tables t
                ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.column_name = 'security_id' AND c.table_schema = current_schema()
                AND t.table_type = 'BASE TABLE'
            ORDER BY c.table_name
            """, logger: logger)
        let handled: Set<String> = ["bars_minute", "bars_day", "coverage", "indicator_state", "ticker_names"]
        var tables: [(String, [String])] = []
        for try await (table, keys) in rows.decode((String, [String]).self) where !handled.contains(table) {
            tables.append((table, keys))
        }
        return tables
    }

    /// A holder that keeps bars outside the interval (a reused ticker's earlier company) keeps the
    /// name only on its side of the interval.
    private func trim(_ id: Int64, ticker: String, around interval: Interval) async throws {
        let rows = try await connection.query(
            """
            SELECT MIN(t), MAX(t) FROM (SELECT t FROM bars_day WHERE security_id = \(id)
                                        UNION ALL SELECT t FROM bars_minute WHERE security_id = \(id)) b
            """, logger: logger)
        var bounds: (Int64, Int64)?
        for try await (first, last) in rows.decode((Int64?, Int64?).self) {
            if let first, let last { bounds = (first, last) }
        }
        guard let (first, last) = bounds else { return }
        if last < interval.fromMs, let start = interval.name.first {
            try await connection.query(
                """
                UPDATE ticker_names SET last_day = \(start.adding(days: -1).description)::date,
                    until_ms = \(interval.fromMs) WHERE security_id = \(id) AND ticker = \(ticker)
                """, logger: logger)
        } else if first >= interval.untilMs {
            try await connection.query(
                """
                UPDATE ticker_names SET first_day = \(EasternTime.date(containing: interval.untilMs).description)::date,
                    from_ms = \(interval.untilMs) WHERE security_id = \(id) AND ticker = \(ticker)
                """, logger: logger)
        }
    }

    private func saveNames(_ intervals: [Interval], of id: Int64) async throws {
        try await connection.query("DELETE FROM ticker_names WHERE security_id = \(id)", logger: logger)
        for interval in intervals {
            try await connection.query(
                """
                INSERT INTO ticker_names (ticker, security_id, first_day, last_day, from_ms, until_ms)
                VALUES (\(interval.name.ticker), \(id), \(interval.name.first?.description)::date,
                    \(interval.name.last?.description)::date, \(interval.fromMs), \(interval.untilMs))
                ON CONFLICT (security_id, ticker) DO UPDATE SET last_day = excluded.last_day, until_ms = excluded.until_ms
                """, logger: logger)
        }
    }

    private func saveIdentity(of id: Int64, current: String) async throws {
        let i = identity
        try await connection.query(
            """
            UPDATE securities SET ticker = \(current), composite_figi = \(i.compositeFIGI),
                share_class_figi = \(i.shareClassFIGI), cik = \(i.cik), name = \(i.name), type = \(i.type),
                primary_exchange = \(i.primaryExchange), active = \(i.active),
                list_date = \(i.listDate?.description)::date, delist_date = \(i.delistDate?.description)::date
            WHERE id = \(id)
            """, logger: logger)
    }

    /// The survivor's stored identity and names, to tell whether this save changed anything.
    private func snapshot(_ id: Int64) async throws -> [String] {
        let rows = try await connection.query(
            """
            SELECT s::text FROM securities s WHERE id = \(id)
            UNION ALL (SELECT n::text FROM ticker_names n WHERE security_id = \(id) ORDER BY from_ms, ticker)
            """, logger: logger)
        var lines: [String] = []
        for try await line in rows.decode(String.self) { lines.append(line) }
        return lines
    }

    private func single(_ query: PostgresQuery) async throws -> Int64? {
        for try await value in try await connection.query(query, logger: logger).decode(Int64.self) { return value }
        return nil
    }
}
