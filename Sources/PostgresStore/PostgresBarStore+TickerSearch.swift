import PostgresNIO
import Storage

extension PostgresBarStore: TickerDirectory {
    /// As the SQLite store's: ticker names by prefix or security name by substring, case-insensitive
    /// (`ILIKE`), exact symbol first, then names that start with the text, then by symbol. The
    /// patterns are bound values with their wildcards escaped: input matches literally.
    public func searchTickers(_ text: String, limit: Int) async throws -> [TickerMatch] {
        let escaped = likeEscaped(text)
        let limit = max(0, limit)
        return try await read("tickers matching '\(text)'") { [self] connection in
            let rows = try await connection.query(
                """
                SELECT n.ticker, s.ticker, s.name, s.type, s.primary_exchange, s.active, n.first_day::text,
                       n.last_day::text, s.delist_date::text
                FROM ticker_names n JOIN securities s ON s.id = n.security_id
                WHERE n.ticker ILIKE \(escaped) || '%' ESCAPE '\\' OR s.name ILIKE '%' || \(escaped) || '%' ESCAPE '\\'
                ORDER BY lower(n.ticker) = lower(\(text)) DESC, n.ticker ILIKE \(escaped) || '%' ESCAPE '\\' DESC,
                         n.ticker
                LIMIT \(limit)
                """, logger: logger)
            var matches: [TickerMatch] = []
            for try await (ticker, current, name, type, exchange, active, first, last, delisted) in rows.decode(
                (String, String, String?, String?, String?, Bool, String?, String?, String?).self)
            {
                matches.append(
                    TickerMatch(
                        ticker: ticker, currentTicker: current, name: name, type: type, primaryExchange: exchange,
                        active: active, firstDay: first, lastDay: last, delistedOn: delisted))
            }
            return matches
        }
    }
}
