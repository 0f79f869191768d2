import BackfillCore
import PostgresNIO
import Storage

extension PostgresBarStore: LedgerStore {
    public func ledger(symbol: String, range: DayRange, listing: DayRange?) async throws -> [LedgerEntry] {
        try await read("ledger of \(symbol)") { [self] connection in
            let securities = PostgresSecurities(connection: connection, logger: logger)
            let id = try await securityByTicker(symbol, connection)
            var rows: [String: LedgerCounting.StoredRow] = [:]
            var covered: [DayRange] = []
            if let id {
                let result = try await connection.query(
                    """
                    SELECT session::text, expected, received, regular, status, source FROM ledger
                    WHERE security_id = \(id)
                        AND session BETWEEN \(range.first.description)::date AND \(range.last.description)::date
                    """, logger: logger)
                for try await (session, expected, received, regular, status, source) in result.decode(
                    (String, Int32, Int32, Int32, String, String).self)
                {
                    rows[session] = LedgerCounting.StoredRow(
                        expected: Int(expected), received: Int(received), regular: Int(regular), status: status,
                        source: source)
                }
                covered = try await PostgresReads.ranges(connection, securityID: id, timeframe: .minute, logger)
            }
            if let market = try await securities.market() {
                covered += try await PostgresReads.ranges(connection, securityID: market, timeframe: .minute, logger)
            }
            return LedgerCounting.entries(symbol: symbol, range: range, listing: listing, rows: rows, covered: covered)
        }
    }

    public func ledgerSpan(symbol: String) async throws -> DayRange? {
        try await read("ledger span of \(symbol)") { [self] connection in
            guard let id = try await securityByTicker(symbol, connection) else { return nil }
            let rows = try await connection.query(
                """
                SELECT MIN(first)::text, MAX(last)::text FROM (
                    SELECT MIN(session) AS first, MAX(session) AS last FROM ledger WHERE security_id = \(id)
                    UNION ALL
                    SELECT MIN(first_day), MAX(last_day) FROM coverage WHERE security_id = \(id) AND timeframe = '1m'
                ) spans
                """, logger: logger)
            for try await (first, last) in rows.decode((String?, String?).self) {
                guard let first = first.flatMap({ LocalDate($0) }), let last = last.flatMap({ LocalDate($0) }) else {
                    return nil
                }
                return DayRange(first, last)
            }
            return nil
        }
    }

    public func ledgerSymbols() async throws -> [String] {
        try await read("ledger symbols") { [self] connection in
            let rows = try await connection.query(
                "SELECT DISTINCT s.ticker FROM ledger l JOIN securities s ON s.id = l.security_id ORDER BY s.ticker",
                logger: logger)
            var symbols: [String] = []
            for try await ticker in rows.decode(String.self) { symbols.append(ticker) }
            return symbols
        }
    }

    /// The security whose `securities.ticker` is `symbol` (as the SQLite ledger reads look it up).
    private func securityByTicker(_ symbol: String, _ connection: PostgresConnection) async throws -> Int64? {
        let rows = try await connection.query(
            "SELECT id FROM securities WHERE ticker = \(symbol) ORDER BY id LIMIT 1", logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }
}
