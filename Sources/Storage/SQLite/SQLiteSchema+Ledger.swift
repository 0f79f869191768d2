import GRDB

extension SQLiteSchema {
    /// The completeness ledger: per symbol, timeframe and session.
    static func registerLedgerMigrations(_ migrator: inout DatabaseMigrator) {
    }
}
