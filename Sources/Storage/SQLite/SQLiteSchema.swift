import BackfillCore
import GRDB

/// The SQLite schema, as ordered migrations. Bars are raw and keyed by an integer security id
/// (cheaper to index than text, and stable across renames); views by ticker keep SQL users' queries easy.
enum SQLiteSchema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-bars-coverage-runs") { db in
            try db.execute(
                sql: """
                    CREATE TABLE securities (
                        id INTEGER PRIMARY KEY,
                        ticker TEXT NOT NULL UNIQUE
                    );
                    \(barTable("bars_minute"))
                    \(barTable("bars_day"))
                    CREATE TABLE coverage (
                        security_id INTEGER NOT NULL REFERENCES securities(id),
                        timeframe TEXT NOT NULL,
                        first_day TEXT NOT NULL,
                        last_day TEXT NOT NULL,
                        PRIMARY KEY (security_id, timeframe, first_day)
                    );
                    CREATE TABLE runs (
                        id INTEGER PRIMARY KEY,
                        started_at_ms INTEGER NOT NULL,
                        finished_at_ms INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        tickers TEXT NOT NULL,
                        bars_received INTEGER NOT NULL,
                        bars_changed INTEGER NOT NULL,
                        requests INTEGER NOT NULL,
                        errors TEXT NOT NULL
                    );
                    CREATE VIEW bars_minute_by_ticker AS
                        SELECT s.ticker, b.t, b.o, b.h, b.l, b.c, b.v, b.vw, b.n
                        FROM bars_minute b JOIN securities s ON s.id = b.security_id;
                    CREATE VIEW bars_day_by_ticker AS
                        SELECT s.ticker, b.t, b.o, b.h, b.l, b.c, b.v, b.vw, b.n
                        FROM bars_day b JOIN securities s ON s.id = b.security_id;
                    """)
        }
        migrator.registerMigration("v2-indicator-state") { db in
            try db.execute(
                sql: """
                    CREATE TABLE indicator_state (
                        security_id INTEGER NOT NULL REFERENCES securities(id),
                        timeframe TEXT NOT NULL,
                        last_t INTEGER NOT NULL,
                        state TEXT NOT NULL,
                        PRIMARY KEY (security_id, timeframe)
                    );
                    """)
        }
        // Later migrations live beside the code that uses them, registered here in order.
        registerReferenceMigrations(&migrator)  // v3: security identity, ticker names, actions, news
        registerTaskMigrations(&migrator)  // v4: flat-file/chunk tasks and quarantined rows
        registerLedgerMigrations(&migrator)  // v5: the completeness ledger
        registerBlockMigrations(&migrator)  // v6: minute bars packed per security and day
        return migrator
    }

    /// Minute and daily bars share one shape: raw OHLCV keyed by security and window start (ms UTC).
    static func barTable(_ name: String) -> String {
        """
        CREATE TABLE \(name) (
            security_id INTEGER NOT NULL REFERENCES securities(id),
            t INTEGER NOT NULL,
            o REAL NOT NULL, h REAL NOT NULL, l REAL NOT NULL, c REAL NOT NULL,
            v REAL NOT NULL, vw REAL, n INTEGER,
            PRIMARY KEY (security_id, t)
        ) WITHOUT ROWID;
        """
    }

    /// The table holding a stored timeframe; other timeframes are derived by resampling.
    static func table(for timeframe: Timeframe) throws(StorageError) -> String {
        switch timeframe {
        case .minute: return "bars_minute"
        case .day: return "bars_day"
        default:
            throw StorageError(
                .unsupportedTimeframe, "timeframe \(timeframe) is not stored; only 1m and 1d are (others are resampled)"
            )
        }
    }
}
