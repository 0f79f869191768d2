import BackfillCore
import GRDB

extension SQLiteBarStore {
    /// Bars of the security a ticker names with splits (and dividends) applied on read, through
    /// ``AdjustmentFactors`` built from the stored actions and the stored daily closes. The stored
    /// bars stay raw; a corrected action changes the next read, never the table.
    public func bars(
        symbol: String, timeframe: Timeframe, fromMs: Int64, toMs: Int64, limit: Int, adjustment: BarAdjustment
    ) async throws -> [Bar] {
        let table = try SQLiteSchema.table(for: timeframe)
        return try await read("\(adjustment) adjusted bars of \(symbol) \(timeframe)") { db in
            guard let id = try Self.existingSecurityID(db, ticker: symbol, on: nil) else { return [] }
            let raw = try Self.bars(db, table: table, securityID: id, fromMs: fromMs, toMs: toMs, limit: limit)
            guard adjustment != .none, !raw.isEmpty else { return raw }
            let factors = try Self.adjustmentFactors(db, securityID: id)
            return factors.adjusted(raw, kind: adjustment == .splits ? .splits : .all)
        }
    }

    /// The factors of one security from its stored splits and dividends and its stored daily closes.
    public func adjustmentFactors(symbol: String) async throws -> AdjustmentFactors? {
        try await read("adjustment factors of \(symbol)") { db in
            guard let id = try Self.existingSecurityID(db, ticker: symbol, on: nil) else { return nil }
            return try Self.adjustmentFactors(db, securityID: id)
        }
    }

    static func adjustmentFactors(_ db: Database, securityID id: Int64) throws -> AdjustmentFactors {
        let (splits, dividends) = try actions(db, securityID: id)
        let closes = try Row.fetchAll(
            db, sql: "SELECT t, c FROM bars_day WHERE security_id = ? ORDER BY t", arguments: [id]
        ).map { SessionClose(date: EasternTime.date(containing: $0[0]), close: $0[1]) }
        return AdjustmentFactors(splits: splits, dividends: dividends, closes: closes)
    }
}
