import Foundation
import Logging
import Storage

/// Which warehouse a command opens: a SQLite file (the default), or PostgreSQL when `--db` is a
/// `postgres://` URL, or when `DB_HOST` is set (environment or `.env`) and `--db` is left at its
/// default. The other `DB_*` keys fill what the URL leaves out, so the password can stay off the
/// command line. Every `scraper` command and the `gui` choose and open their store here.
public enum StoreChoice: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    /// `--db`'s default.
    public static let defaultPath = "./backfill.sqlite"

    /// The store `db` (the `--db` value) names.
    /// - Parameter environment: the settings, `.env`'s under the process environment's.
    /// - Throws: ``StorageError`` when the URL or a `DB_*` value is malformed (the message names
    ///   it, without the password).
    public static func resolve(db: String, environment: [String: String]) throws -> StoreChoice {
        if PostgresSettings.isURL(db) {
            return .postgres(try PostgresSettings(url: db, environment: environment))
        }
        if db == defaultPath, let postgres = try PostgresSettings.fromEnvironment(environment) {
            return .postgres(postgres)
        }
        return .sqlite(path: db)
    }

    /// The database as printed: the path, or the URL without its password.
    public var label: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let settings): return settings.redacted
        }
    }

    /// The SQLite file when it does not exist (a command that reads the warehouse has nothing to
    /// read); nil for an existing file and for PostgreSQL, whose problems show when it is opened.
    public var missingFile: String? {
        guard case .sqlite(let path) = self, !FileManager.default.fileExists(atPath: path) else { return nil }
        return path
    }

    /// How another process (the monitor's `scraper`) opens the same store: its `--db` value, which
    /// never holds the password, and the environment that carries it (`DB_PASSWORD`), since a
    /// command line is visible to every user in `ps`.
    public var forChildProcess: (db: String, environment: [String: String]) {
        switch self {
        case .sqlite(let path):
            return (URL(fileURLWithPath: path).path, [:])
        case .postgres(let settings):
            return (settings.urlWithoutPassword, settings.password.map { ["DB_PASSWORD": $0] } ?? [:])
        }
    }

    /// Opens the store and runs `body` with it: the SQLite file (created when missing), or the
    /// PostgreSQL pool, checked and migrated first and closed when `body` returns.
    /// - Parameter onConnectionEvent: hears PostgreSQL going away and coming back.
    /// - Throws: ``StorageError`` (`cannot-open`) with one line when the file cannot be opened or
    ///   the server is unreachable, rejects the credentials or lacks the database; whatever `body` throws.
    public func withStore<Result>(
        logger: Logger, onConnectionEvent: @escaping @Sendable (PostgresBarStore.ConnectionEvent) -> Void = { _ in },
        _ body: (any WarehouseStore) async throws -> Result
    ) async throws -> Result {
        switch self {
        case .sqlite(let path):
            return try await body(SQLiteBarStore(path: path, logger: logger))
        case .postgres(let settings):
            return try await PostgresBarStore.withStore(settings, logger: logger, onConnectionEvent: onConnectionEvent)
            {
                try await body($0)
            }
        }
    }
}
