import BackfillCore
import Logging
import PostgresNIO
import Storage

/// Splits and dividends in one transaction: upserts keyed by Polygon's id (else ticker and date)
/// that rewrite a row only when a value differs, so a repeat counts nothing.
struct PostgresActions {
    let context: PostgresWriteContext

    /// Returns 1 when the split is new or changed, else 0.
    func save(_ row: SplitRow, securityID id: Int64) async throws -> Int {
        let split = row.split
        return try await count(
            """
            INSERT INTO splits AS s (key, security_id, ticker, execution_date, split_from, split_to, adjustment_type,
                                     historical_factor)
            VALUES (\(row.key), \(id), \(row.ticker), \(split.executionDate.description)::date,
                \(split.splitFrom), \(split.splitTo), \(row.adjustmentType), \(row.historicalFactor))
            ON CONFLICT (key) DO UPDATE SET security_id = excluded.security_id, ticker = excluded.ticker,
                execution_date = excluded.execution_date, split_from = excluded.split_from,
                split_to = excluded.split_to, adjustment_type = excluded.adjustment_type,
                historical_factor = excluded.historical_factor
            WHERE (s.security_id, s.ticker, s.execution_date, s.split_from, s.split_to, s.adjustment_type,
                   s.historical_factor)
                IS DISTINCT FROM (excluded.security_id, excluded.ticker, excluded.execution_date, excluded.split_from,
                   excluded.split_to, excluded.adjustment_type, excluded.historical_factor)
            RETURNING 1
            """)
    }

    /// Returns 1 when the dividend is new or changed, else 0.
    func save(_ row: DividendRow, securityID id: Int64) async throws -> Int {
        let dividend = row.dividend
        return try await count(
            """
            INSERT INTO dividends AS d (key, security_id, ticker, ex_dividend_date, cash_amount, currency,
                declaration_date, record_date, pay_date, frequency, distribution_type, historical_factor)
            VALUES (\(row.key), \(id), \(row.ticker), \(dividend.exDividendDate.description)::date,
                \(dividend.cashAmount), \(row.currency), \(row.declarationDate), \(row.recordDate), \(row.payDate),
                \(row.frequency), \(row.distributionType), \(row.historicalFactor))
            ON CONFLICT (key) DO UPDATE SET security_id = excluded.security_id, ticker = excluded.ticker,
                ex_dividend_date = excluded.ex_dividend_date, cash_amount = excluded.cash_amount,
                currency = excluded.currency, declaration_date = excluded.declaration_date,
                record_date = excluded.record_date, pay_date = excluded.pay_date, frequency = excluded.frequency,
                distribution_type = excluded.distribution_type, historical_factor = excluded.historical_factor
            WHERE (d.security_id, d.ticker, d.ex_dividend_date, d.cash_amount, d.currency, d.declaration_date,
                   d.record_date, d.pay_date, d.frequency, d.distribution_type, d.historical_factor)
                IS DISTINCT FROM (excluded.security_id, excluded.ticker, excluded.ex_dividend_date,
                   excluded.cash_amount, excluded.currency, excluded.declaration_date, excluded.record_date,
                   excluded.pay_date, excluded.frequency, excluded.distribution_type, excluded.historical_factor)
            RETURNING 1
            """)
    }

    private func count(_ query: PostgresQuery) async throws -> Int {
        var rows = 0
        for try await _ in try await context.connection.query(query, logger: context.logger) { rows += 1 }
        return rows
    }

    /// A security's splits and dividends, oldest first.
    static func actions(_ connection: PostgresConnection, securityID id: Int64, _ logger: Logger) async throws
        -> StoredActions
    {
        var actions = StoredActions()
        let splits = try await connection.query(
            """
            SELECT execution_date::text, split_from, split_to FROM splits WHERE security_id = \(id)
            ORDER BY execution_date
            """, logger: logger)
        for try await (date, from, to) in splits.decode((String, Double, Double).self) {
            if let date = LocalDate(date) {
                actions.splits.append(Split(executionDate: date, splitFrom: from, splitTo: to))
            }
        }
        let dividends = try await connection.query(
            """
            SELECT ex_dividend_date::text, cash_amount FROM dividends WHERE security_id = \(id)
            ORDER BY ex_dividend_date
            """, logger: logger)
        for try await (date, amount) in dividends.decode((String, Double).self) {
            if let date = LocalDate(date) {
                actions.dividends.append(CashDividend(exDividendDate: date, cashAmount: amount))
            }
        }
        return actions
    }
}

/// A security's actions, carried out of the pool's closure (a tuple is not `Sendable`-friendly).
struct StoredActions: Sendable {
    var splits: [Split] = []
    var dividends: [CashDividend] = []
}
