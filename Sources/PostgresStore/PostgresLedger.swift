import BackfillCore
import Foundation
import Logging
import PostgresNIO
import Storage

/// The completeness ledger, written inside the bar writes' transactions exactly as the SQLite
/// store's: per security and session the minute bars received (extended session) and of those the
/// regular-session minutes, `partial` until a completed range marks the session `complete`.
struct PostgresLedger {
    static let calendar = TradingCalendar()

    let connection: PostgresConnection
    let logger: Logger

    /// After minute bars of one security were upserted: a session new to the ledger takes the
    /// batch's own counts (it had no bars before); a known one is recounted from the table.
    func recordReceived(securityID: Int64, bars: [Bar], source: BarSource) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        for session in Self.sessions(of: bars) {
            let hours = Self.calendar.sessions[session.index]
            try await connection.query(
                """
                INSERT INTO ledger AS g (security_id, session, expected, received, regular, status, source, updated_ms)
                VALUES (\(securityID), \(hours.date.description)::date, \(Self.expectedMinutes(hours)),
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

    /// The sessions `bars` touch (in time order, a minute repeated in a row counted once), with the
    /// batch's extended-session and regular-session counts.
    static func sessions(of bars: [Bar]) -> [(index: Int, received: Int, regular: Int)] {
        var touched: [(index: Int, received: Int, regular: Int)] = []
        var current = -1
        var previousTime = Int64.min
        for bar in bars {
            if bar.windowStartMs == previousTime { continue }
            previousTime = bar.windowStartMs
            if current < 0 || bar.windowStartMs < calendar.sessions[current].preMarketOpenMs
                || bar.windowStartMs >= calendar.sessions[current].postMarketCloseMs
            {
                guard let index = calendar.sessionIndex(containing: bar.windowStartMs) else { continue }
                current = index
                if touched.last?.index != index {
                    if let known = touched.firstIndex(where: { $0.index == index }) {
                        touched.append(touched.remove(at: known))
                    } else {
                        touched.append((index, 0, 0))
                    }
                }
            }
            touched[touched.count - 1].received += 1
            if calendar.sessions[current].isRegular(minuteStartingAt: bar.windowStartMs) {
                touched[touched.count - 1].regular += 1
            }
        }
        return touched
    }

    /// Regular-session minutes of a session (390, or 210 on an early close).
    static func expectedMinutes(_ hours: SessionHours) -> Int {
        Int((hours.regularCloseMs - hours.regularOpenMs) / 60_000)
    }

    /// A stored ledger row.
    struct Row {
        var expected: Int
        var received: Int
        var regular: Int
        var status: String
        var source: String
    }

    /// Every weekday of `range`: stored rows as they are, other sessions derived from coverage
    /// (holiday, not listed, complete with nothing traded, or missing) — as the SQLite store reads it.
    static func entries(
        symbol: String, range: DayRange, listing: DayRange?, rows: [String: Row], covered: [DayRange]
    ) -> [LedgerEntry] {
        var entries: [LedgerEntry] = []
        var day = range.first
        while day <= range.last {
            defer { day = day.adding(days: 1) }
            guard !day.isWeekend else { continue }
            guard let hours = calendar.session(on: day) else {
                entries.append(empty(symbol, day, .holiday, expected: 0))
                continue
            }
            if let row = rows[day.description] {
                entries.append(
                    LedgerEntry(
                        symbol: symbol, session: day, status: LedgerEntry.Status(rawValue: row.status) ?? .partial,
                        expected: row.expected, received: row.received, regular: row.regular,
                        source: BarSource(rawValue: row.source)))
            } else if let listing, !listing.contains(day) {
                entries.append(empty(symbol, day, .notListed, expected: 0))
            } else {
                let fetched = covered.contains { $0.contains(day) }
                entries.append(empty(symbol, day, fetched ? .complete : .missing, expected: expectedMinutes(hours)))
            }
        }
        return entries
    }

    private static func empty(_ symbol: String, _ day: LocalDate, _ status: LedgerEntry.Status, expected: Int)
        -> LedgerEntry
    {
        LedgerEntry(
            symbol: symbol, session: day, status: status, expected: expected, received: 0, regular: 0, source: nil)
    }
}
