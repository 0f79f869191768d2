import BackfillCore
import GRDB

extension SQLiteBarStore: LedgerStore {
    public func ledger(symbol: String, range: DayRange, listing: DayRange?) async throws -> [LedgerEntry] {
        try await read("ledger of \(symbol)") { db in
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM securities WHERE ticker = ?", arguments: [symbol])
            var rows: [String: Row] = [:]
            if let id {
                for row in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT session, expected, received, regular, status, source FROM ledger
                        WHERE security_id = ? AND session BETWEEN ? AND ?
                        """, arguments: [id, range.first.description, range.last.description])
                {
                    rows[row[0]] = row
                }
            }
            var covered = try id.map { try Self.ranges(db, securityID: $0, timeframe: .minute) } ?? []
            if let market = try SQLiteLedger.marketSecurityID(db) {
                covered += try Self.ranges(db, securityID: market, timeframe: .minute)
            }
            return SQLiteLedger.entries(
                symbol: symbol, range: range, listing: listing, rows: rows, covered: covered)
        }
    }

    public func ledgerSpan(symbol: String) async throws -> DayRange? {
        try await read("ledger span of \(symbol)") { db in
            guard
                let id = try Int64.fetchOne(db, sql: "SELECT id FROM securities WHERE ticker = ?", arguments: [symbol])
            else { return nil }
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT MIN(first), MAX(last) FROM (
                        SELECT MIN(session) AS first, MAX(session) AS last FROM ledger WHERE security_id = ?1
                        UNION ALL
                        SELECT MIN(first_day), MAX(last_day) FROM coverage WHERE security_id = ?1 AND timeframe = '1m')
                    """, arguments: [id])
            guard let first = (row?[0] as String?).flatMap({ LocalDate($0) }),
                let last = (row?[1] as String?).flatMap({ LocalDate($0) })
            else { return nil }
            return DayRange(first, last)
        }
    }

    public func ledgerSymbols() async throws -> [String] {
        try await read("ledger symbols") { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT s.ticker FROM ledger l JOIN securities s ON s.id = l.security_id ORDER BY s.ticker
                    """)
        }
    }
}

extension SQLiteLedger {
    /// Every weekday of `range`: stored rows as they are, other sessions derived from coverage.
    static func entries(
        symbol: String, range: DayRange, listing: DayRange?, rows: [String: Row], covered: [DayRange]
    ) -> [LedgerEntry] {
        var entries: [LedgerEntry] = []
        var day = range.first
        while day <= range.last {
            defer { day = day.adding(days: 1) }
            guard !day.isWeekend else { continue }
            guard let hours = calendar.session(on: day) else {
                entries.append(
                    LedgerEntry(
                        symbol: symbol, session: day, status: .holiday, expected: 0, received: 0, regular: 0,
                        source: nil))
                continue
            }
            let expected = expectedMinutes(hours)
            if let row = rows[day.description] {
                let status = LedgerEntry.Status(rawValue: row[4]) ?? .partial
                entries.append(
                    LedgerEntry(
                        symbol: symbol, session: day, status: status, expected: row[1], received: row[2],
                        regular: row[3], source: BarSource(rawValue: row[5])))
            } else if let listing, !listing.contains(day) {
                entries.append(
                    LedgerEntry(
                        symbol: symbol, session: day, status: .notListed, expected: 0, received: 0, regular: 0,
                        source: nil))
            } else {
                let fetched = covered.contains { $0.contains(day) }
                entries.append(
                    LedgerEntry(
                        symbol: symbol, session: day, status: fetched ? .complete : .missing, expected: expected,
                        received: 0, regular: 0, source: nil))
            }
        }
        return entries
    }
}
