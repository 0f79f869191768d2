import GRDB

extension SQLiteSchema {
    /// Security identity (composite FIGI), point-in-time ticker names, corporate actions and news.
    ///
    /// `securities` is rebuilt without `UNIQUE(ticker)`: a row is a security (one share class), its
    /// `ticker` the current (or last) name. `ticker_names` says which security a ticker named when:
    /// `first_day`/`last_day` as Polygon reports them (NULL = unknown or open), and `from_ms`/`until_ms`,
    /// a partition of all time per security that the `*_by_ticker` views join on, so every bar shows
    /// under exactly one name (FB before 2022-06-09, META after).
    static func registerReferenceMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-identity-actions-news") { db in
            try db.execute(sql: identitySQL)
            try db.execute(sql: actionsAndNewsSQL)
        }
    }

    /// The smallest and largest ms instants: open ends of a name's partition interval.
    static let openFromMs = Int64.min
    static let openUntilMs = Int64.max

    private static let identitySQL = """
        DROP VIEW bars_minute_by_ticker;
        DROP VIEW bars_day_by_ticker;
        CREATE TABLE securities_v3 (
            id INTEGER PRIMARY KEY,
            ticker TEXT NOT NULL,
            composite_figi TEXT UNIQUE,
            share_class_figi TEXT,
            cik TEXT,
            name TEXT,
            type TEXT,
            primary_exchange TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            list_date TEXT,
            delist_date TEXT
        );
        INSERT INTO securities_v3 (id, ticker) SELECT id, ticker FROM securities;
        DROP TABLE securities;
        ALTER TABLE securities_v3 RENAME TO securities;
        CREATE INDEX securities_ticker ON securities(ticker);
        CREATE TABLE ticker_names (
            ticker TEXT NOT NULL,
            security_id INTEGER NOT NULL REFERENCES securities(id),
            first_day TEXT,
            last_day TEXT,
            from_ms INTEGER NOT NULL,
            until_ms INTEGER NOT NULL,
            PRIMARY KEY (security_id, ticker)
        ) WITHOUT ROWID;
        CREATE INDEX ticker_names_ticker ON ticker_names(ticker);
        INSERT INTO ticker_names (ticker, security_id, first_day, last_day, from_ms, until_ms)
            SELECT ticker, id, NULL, NULL, \(openFromMs), \(openUntilMs) FROM securities;
        \(byTickerView("bars_minute"))
        \(byTickerView("bars_day"))
        """

    /// Bars by the name their security had at the bar's time (an indexed join: ticker → security → t range).
    private static func byTickerView(_ table: String) -> String {
        """
        CREATE VIEW \(table)_by_ticker AS
            SELECT n.ticker, b.t, b.o, b.h, b.l, b.c, b.v, b.vw, b.n
            FROM ticker_names n JOIN \(table) b
                ON b.security_id = n.security_id AND b.t >= n.from_ms AND b.t < n.until_ms;
        """
    }

    private static let actionsAndNewsSQL = """
        CREATE TABLE splits (
            key TEXT PRIMARY KEY,
            security_id INTEGER NOT NULL REFERENCES securities(id),
            ticker TEXT NOT NULL,
            execution_date TEXT NOT NULL,
            split_from REAL NOT NULL,
            split_to REAL NOT NULL,
            adjustment_type TEXT,
            historical_factor REAL
        );
        CREATE INDEX splits_security ON splits(security_id, execution_date);
        CREATE TABLE dividends (
            key TEXT PRIMARY KEY,
            security_id INTEGER NOT NULL REFERENCES securities(id),
            ticker TEXT NOT NULL,
            ex_dividend_date TEXT NOT NULL,
            cash_amount REAL NOT NULL,
            currency TEXT,
            declaration_date TEXT,
            record_date TEXT,
            pay_date TEXT,
            frequency INTEGER,
            distribution_type TEXT,
            historical_factor REAL
        );
        CREATE INDEX dividends_security ON dividends(security_id, ex_dividend_date);
        CREATE TABLE news (
            id TEXT PRIMARY KEY,
            published_ms INTEGER NOT NULL,
            publisher TEXT NOT NULL,
            title TEXT NOT NULL,
            author TEXT,
            article_url TEXT NOT NULL,
            description TEXT,
            image_url TEXT,
            keywords TEXT
        );
        CREATE INDEX news_published ON news(published_ms);
        CREATE TABLE news_tickers (
            news_id TEXT NOT NULL REFERENCES news(id),
            ticker TEXT NOT NULL,
            security_id INTEGER REFERENCES securities(id),
            sentiment TEXT,
            PRIMARY KEY (news_id, ticker)
        ) WITHOUT ROWID;
        CREATE INDEX news_tickers_security ON news_tickers(security_id, news_id);
        CREATE INDEX news_tickers_ticker ON news_tickers(ticker);
        CREATE TABLE sync_state (
            phase TEXT NOT NULL,
            scope TEXT NOT NULL,
            first_day TEXT,
            last_day TEXT NOT NULL,
            updated_at_ms INTEGER NOT NULL,
            PRIMARY KEY (phase, scope)
        ) WITHOUT ROWID;
        """
}
