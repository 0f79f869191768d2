import GRDB

extension SQLiteSchema {
    /// Persisted tasks (one per chunk or day file) and quarantined input rows.
    static func registerTaskMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-tasks-quarantine") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tasks (
                        id INTEGER PRIMARY KEY,
                        kind TEXT NOT NULL,
                        key TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('pending', 'downloading', 'processing', 'done', 'failed')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        rows INTEGER NOT NULL DEFAULT 0,
                        quarantined INTEGER NOT NULL DEFAULT 0,
                        bytes INTEGER NOT NULL DEFAULT 0,
                        error TEXT,
                        updated_at_ms INTEGER NOT NULL,
                        run_id INTEGER,
                        UNIQUE (kind, key)
                    );
                    CREATE INDEX tasks_by_state ON tasks (kind, state);
                    CREATE TABLE quarantine (
                        id INTEGER PRIMARY KEY,
                        source TEXT NOT NULL,
                        line INTEGER NOT NULL,
                        reason TEXT NOT NULL,
                        raw TEXT NOT NULL,
                        recorded_at_ms INTEGER NOT NULL,
                        UNIQUE (source, line)
                    );
                    """)
        }
    }
}
