import BackfillCore
import GRDB

extension SQLiteBarStore: LedgerStore {
    public func ledger(symbol: String, range: DayRange, listing: DayRange?) async throws -> [LedgerEntry] {
        try await read("ledger of \(symbol)") { db in
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM securities WHERE ticker = ?", arguments: [symbol])
            var rows: [String: LedgerCounting.StoredRow] = [:]
            if let id {
                for row in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT session, expected, received, regular, status, source FROM ledger
                        WHERE security_id = ? AND session BETWEEN ? AND ?
                        """, arguments: [id, range.first.description, range.last.description])
                {
                    rows[row[0]] = LedgerCounting.StoredRow(
                        expected: row[1], received: row[2], regular: row[3], status: row[4], source: row[5])
                }
            }
            var covered = try id.map { try Self.ranges(db, securityID: $0, timeframe: .minute) } ?? []
            if let market = try SQLiteLedger.marketSecurityID(db) {
                covered += try Self.ranges(db, securityID: market, timeframe: .minute)
            }
            return LedgerCounting.entries(
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
