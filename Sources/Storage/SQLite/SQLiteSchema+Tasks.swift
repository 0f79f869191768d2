import GRDB

extension SQLiteSchema {
    /// Persisted tasks (one per chunk or day file) and quarantined input rows.
    static func registerTaskMigrations(_ migrator: inout DatabaseMigrator) {
    }
}
