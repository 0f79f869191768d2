import GRDB

extension SQLiteSchema {
    /// The completeness ledger: per security and session, the minute bars received, the regular-
    /// session minutes the calendar expects, where they came from, and whether the session was
    /// fetched whole (`complete`) or only in part (`partial`: live, or a day still in progress).
    /// Rows are written in the same transaction as the bars they count; sessions without a row are
    /// derived on read (missing, holiday, not listed, or fetched with no trade).
    static func registerLedgerMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5-ledger") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ledger (
                        security_id INTEGER NOT NULL REFERENCES securities(id),
                        session TEXT NOT NULL,
                        expected INTEGER NOT NULL,
                        received INTEGER NOT NULL,
                        regular INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        source TEXT NOT NULL,
                        updated_ms INTEGER NOT NULL,
                        PRIMARY KEY (security_id, session)
                    ) WITHOUT ROWID;
                    CREATE INDEX ledger_by_session ON ledger(session);
                    """)
            try SQLiteLedger.rebuild(db)
        }
        migrator.registerMigration("v5-run-report") { db in
            // The run's whole final report (JSON), beside the summary columns.
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN report TEXT")
        }
    }
}
