import BackfillCore
import Foundation
import GRDB

/// Writes the completeness ledger inside the bar writes' transactions (see `registerLedgerMigrations`).
enum SQLiteLedger {
    static let calendar = LedgerCounting.calendar

    /// After minute bars of one security were upserted: records the stored minutes of every session
    /// the bars touch. A session new to the ledger had no bars before, so the batch's own counts are
    /// exact and cost nothing; a session already in it is recounted from the table (one indexed
    /// range count). A new row is `partial` until a completed range covering its session is marked
    /// (``markComplete(_:securityID:range:source:)``, which also sets its source); until then the
    /// source is that of the first bars stored.
    static func recordReceived(_ db: Database, securityID: Int64, bars: [Bar], source: BarSource) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO ledger (security_id, session, expected, received, regular, status, source, updated_ms)
                VALUES (?1, ?2, ?3, ?4, ?5, 'partial', ?6, ?7)
                ON CONFLICT (security_id, session) DO UPDATE SET
                    received = (SELECT COUNT(*) FROM bars_minute WHERE security_id = ?1 AND t >= ?8 AND t < ?9),
                    regular = (SELECT COUNT(*) FROM bars_minute WHERE security_id = ?1 AND t >= ?10 AND t < ?11),
                    updated_ms = excluded.updated_ms
                """)
        try record(statement, securityID: securityID, bars: bars, source: source, recount: true)
    }

    /// After a day's minutes were packed into a block: `bars` are all the day's minutes, so their
    /// counts are exact and replace the ledger's.
    static func recordDay(_ db: Database, securityID: Int64, bars: [Bar], source: BarSource) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO ledger (security_id, session, expected, received, regular, status, source, updated_ms)
                VALUES (?1, ?2, ?3, ?4, ?5, 'partial', ?6, ?7)
                ON CONFLICT (security_id, session) DO UPDATE SET
                    received = excluded.received, regular = excluded.regular, updated_ms = excluded.updated_ms
                """)
        try record(statement, securityID: securityID, bars: bars, source: source, recount: false)
    }

    /// Counts `bars` per session and executes `statement` once per session touched; `recount`
    /// statements also get the session's bounds (?8–?11) to count the row table.
    private static func record(
        _ statement: Statement, securityID: Int64, bars: [Bar], source: BarSource, recount: Bool
    ) throws {
        let touched = LedgerCounting.sessions(of: bars)
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        for session in touched {
            let hours = calendar.sessions[session.index]
            var arguments: StatementArguments = [
                securityID, hours.date.description, LedgerCounting.expectedMinutes(hours), session.received,
                session.regular,
                source.rawValue, now,
            ]
            if recount {
                arguments += [
                    hours.preMarketOpenMs, hours.postMarketCloseMs, hours.regularOpenMs, hours.regularCloseMs,
                ]
            }
            try statement.execute(arguments: arguments)
        }
    }

    /// A completed range was stored: its sessions' rows become `complete` with this source, for
    /// one security or (nil) for every security — a whole-market day file.
    static func markComplete(_ db: Database, securityID: Int64?, range: DayRange, source: BarSource) throws {
        var sql = "UPDATE ledger SET status = 'complete', source = ? WHERE session BETWEEN ? AND ?"
        var arguments: StatementArguments = [source.rawValue, range.first.description, range.last.description]
        if let securityID {
            sql += " AND security_id = ?"
            arguments += [securityID]
        }
        try db.execute(sql: sql, arguments: arguments)
    }

    /// The security recorded for the whole market (``BarStoreSymbols/allTickers``), if any.
    static func marketSecurityID(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT id FROM securities WHERE ticker = ?", arguments: [BarStoreSymbols.allTickers])
    }

    /// Builds the ledger of a database written before it existed: every stored minute counted per
    /// session; sessions inside a completed range are `complete` (source `rest`, the only one then).
    static func rebuild(_ db: Database) throws {
        // Minutes are rows before migration v6, packed days and rows after it.
        let packed = try db.tableExists("minute_blocks")
        let securities = try Int64.fetchAll(
            db,
            sql: packed
                ? "SELECT security_id FROM bars_minute UNION SELECT security_id FROM minute_blocks"
                : "SELECT DISTINCT security_id FROM bars_minute")
        for id in securities {
            let bars = try SQLiteMinuteBlocks.bars(
                db, securityID: id, fromMs: .min / 2, toMs: .max, limit: .max, packed: packed)
            try recordDay(db, securityID: id, bars: bars, source: .rest)
        }
        let marks = try Row.fetchAll(
            db, sql: "SELECT security_id, first_day, last_day FROM coverage WHERE timeframe = '1m'")
        let market = try marketSecurityID(db)
        for row in marks {
            guard let first = LocalDate(row[1] as String), let last = LocalDate(row[2] as String),
                let range = DayRange(first, last)
            else { continue }
            let id: Int64 = row[0]
            try markComplete(db, securityID: id == market ? nil : id, range: range, source: .rest)
        }
    }
}
