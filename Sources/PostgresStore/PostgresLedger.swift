import BackfillCore
import Foundation
import Logging
import PostgresNIO
import Storage

/// The completeness ledger, written inside the bar writes' transactions exactly as the SQLite
/// store's: per security and session the minute bars received (extended session) and of those the
/// regular-session minutes, `partial` until a completed range marks the session `complete`.
struct PostgresLedger {
    let connection: PostgresConnection
    let logger: Logger

    /// After minute bars of one security were upserted: a session new to the ledger takes the
    /// batch's own counts (it had no bars before); a known one is recounted from the table.
    func recordReceived(securityID: Int64, bars: [Bar], source: BarSource) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        for session in LedgerCounting.sessions(of: bars) {
            let hours = LedgerCounting.calendar.sessions[session.index]
            try await connection.query(
                """
                INSERT INTO ledger AS g (security_id, session, expected, received, regular, status, source, updated_ms)
                VALUES (\(securityID), \(hours.date.description)::date, \(LedgerCounting.expectedMinutes(hours)),
                    \(session.received), \(session.regular), 'partial', \(source.rawValue), \(now))
                ON CONFLICT (security_id, session) DO UPDATE SET
                    received = (SELECT COUNT(*) FROM bars_minute WHERE security_id = g.security_id
                        AND t >= \(hours.preMarketOpenMs) AND t < \(hours.postMarketCloseMs)),
                    regular = (SELECT COUNT(*) FROM bars_minute WHERE security_id = g.security_id
                        AND t >= \(hours.regularOpenMs) AND t < \(hours.regularCloseMs)),
                    updated_ms = excluded.updated_ms
                """, logger: logger)
        }
    }

    /// A completed range was stored: its sessions' rows become `complete` with this source, for one
    /// security or (nil) for every security — a whole-market day.
    func markComplete(securityID: Int64?, range: DayRange, source: BarSource) async throws {
        let first = range.first.description
        let last = range.last.description
        if let securityID {
            try await connection.query(
                """
                UPDATE ledger SET status = 'complete', source = \(source.rawValue)
                WHERE session BETWEEN \(first)::date AND \(last)::date AND security_id = \(securityID)
                """, logger: logger)
        } else {
            try await connection.query(
                """
                UPDATE ledger SET status = 'complete', source = \(source.rawValue)
                WHERE session BETWEEN \(first)::date AND \(last)::date
                """, logger: logger)
        }
    }
}
