import GRDB

extension SQLiteSchema {
    /// Security identity (composite FIGI), point-in-time ticker names, corporate actions and news.
    static func registerReferenceMigrations(_ migrator: inout DatabaseMigrator) {
    }
}
