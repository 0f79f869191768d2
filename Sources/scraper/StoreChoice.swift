import ArgumentParser
import Ingestion
import PostgresStore
import Storage

/// What a backfill writes through: bars, reference data, tasks (both stores provide all three).
typealias BackfillStore = BarStore & ReferenceStore & TaskStore

/// Which database a run writes: a SQLite file (the default), or PostgreSQL when `--db` is a
/// `postgres://` URL, or when `DB_HOST` is set (environment or `.env`) and `--db` is left at its
/// default. The other `DB_*` keys fill what the URL leaves out, so the password can stay off the
/// command line.
enum StoreChoice {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    static let defaultPath = "./backfill.sqlite"

    /// - Throws: when the URL or a `DB_*` value is malformed (the message names it, without the password).
    static func resolve(db: String, settings: SettingsSource) throws -> StoreChoice {
        let environment = settings.dotEnv.merging(settings.environment) { $1 }
        if PostgresSettings.isURL(db) {
            return .postgres(try PostgresSettings(url: db, environment: environment))
        }
        if db == defaultPath, let postgres = try PostgresSettings.fromEnvironment(environment) {
            return .postgres(postgres)
        }
        return .sqlite(path: db)
    }

    /// Commands other than the backfill read SQLite only for now: a PostgreSQL URL is refused
    /// (without its password) instead of being taken for a file name.
    static func requireSQLite(_ db: String, command: String) throws {
        guard PostgresSettings.isURL(db) else { return }
        throw ValidationError(
            "'scraper \(command)' reads a SQLite file only for now, not \(PostgresSettings.redact(db)); "
                + "PostgreSQL is supported by the backfill")
    }

    /// Where day files are downloaded before they are stored (each removed once its day is):
    /// beside the SQLite file, or named after the PostgreSQL database in the working directory.
    var flatFileCache: String {
        switch self {
        case .sqlite(let path): return path + ".flatfiles"
        case .postgres(let settings): return "./\(settings.database).flatfiles"
        }
    }

    /// The database as printed: the path, or the URL without its password.
    var label: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let settings): return settings.redacted
        }
    }
}
