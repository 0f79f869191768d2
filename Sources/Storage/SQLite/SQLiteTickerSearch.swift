import BackfillCore
import GRDB

extension SQLiteBarStore: TickerDirectory {
    public func searchTickers(_ text: String, limit: Int) async throws -> [TickerMatch] {
        // LIKE patterns are bound values with `\` escaping their wildcards: no SQL is built from input.
        let escaped = likeEscaped(text)
        return try await read("tickers matching '\(text)'") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT n.ticker, s.ticker, s.name, s.type, s.primary_exchange, s.active, n.first_day, n.last_day,
                           s.delist_date
                    FROM ticker_names n JOIN securities s ON s.id = n.security_id
                    WHERE n.ticker LIKE ?1 || '%' ESCAPE '\\' OR s.name LIKE '%' || ?1 || '%' ESCAPE '\\'
                    ORDER BY n.ticker = ?2 COLLATE NOCASE DESC, n.ticker LIKE ?1 || '%' ESCAPE '\\' DESC, n.ticker
                    LIMIT ?3
                    """, arguments: [escaped, text, max(0, limit)]
            ).map { row in
                TickerMatch(
                    ticker: row[0], currentTicker: row[1], name: row[2], type: row[3], primaryExchange: row[4],
                    active: row[5], firstDay: row[6], lastDay: row[7], delistedOn: row[8])
            }
        }
    }
}
