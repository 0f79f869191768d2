import BackfillCore
import GRDB

extension SQLiteSchema {
    /// Minute bars packed per (security, New York day): see ``SQLiteMinuteBlocks``.
    ///
    /// A rowid table (not `WITHOUT ROWID`): the blobs are appended in rowid order, and only the small
    /// (security_id, session) index takes inserts in 10,000 places per day file. `session` is the
    /// day's number since 1970-01-01. Existing minute rows are packed by the migration; the
    /// `bars_minute` table stays for live minutes of days not packed yet. The by-ticker view of
    /// minutes becomes one row per security and day (SQL cannot unpack a block; `scraper export`
    /// prints the bars).
    static func registerBlockMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-minute-blocks") { db in
            try db.execute(
                sql: """
                    CREATE TABLE minute_blocks (
                        security_id INTEGER NOT NULL REFERENCES securities(id),
                        session INTEGER NOT NULL,
                        first_t INTEGER NOT NULL,
                        last_t INTEGER NOT NULL,
                        count INTEGER NOT NULL,
                        bars BLOB NOT NULL,
                        PRIMARY KEY (security_id, session)
                    );
                    DROP VIEW bars_minute_by_ticker;
                    CREATE VIEW bars_minute_live_by_ticker AS
                        SELECT n.ticker, b.t, b.o, b.h, b.l, b.c, b.v, b.vw, b.n
                        FROM ticker_names n JOIN bars_minute b
                            ON b.security_id = n.security_id AND b.t >= n.from_ms AND b.t < n.until_ms;
                    CREATE VIEW minute_days_by_ticker AS
                        SELECT n.ticker, date(b.session * 86400, 'unixepoch') AS day, b.count AS minutes,
                               b.first_t, b.last_t, length(b.bars) AS bytes
                        FROM ticker_names n JOIN minute_blocks b
                            ON b.security_id = n.security_id AND b.first_t >= n.from_ms AND b.first_t < n.until_ms;
                    """)
            try SQLiteMinuteBlocks.pack(db, before: nil)
        }
    }
}
