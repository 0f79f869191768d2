import ArgumentParser
import Ingestion
import Logging
import PostgresStore
import Storage

/// What a backfill writes through: bars, reference data, tasks (both stores provide all three).
typealias BackfillStore = BarStore & ReferenceStore & TaskStore

extension StoreChoice {
    /// The store `db` names, with the `DB_*` keys of the environment over those of `.env`.
    static func resolve(db: String, settings: SettingsSource) throws -> StoreChoice {
        try resolve(db: db, environment: settings.dotEnv.merging(settings.environment) { $1 })
    }

    /// For the commands that read what a backfill stored: the store `db` names, after checking a
    /// SQLite file exists. - Throws: `ValidationError` saying there is no database (plus `hint`).
    static func existing(db: String, hint: String = "") throws -> StoreChoice {
        let choice: StoreChoice
        do {
            choice = try resolve(db: db, settings: SettingsSource.load())
        } catch {
            throw ValidationError("--db: \(error)")
        }
        if let missing = choice.missingFile { throw ValidationError("no database at '\(missing)'\(hint)") }
        return choice
    }

    /// Runs `body` with the open store; a store that cannot be opened or read (the server away,
    /// a wrong password, no such database) is one `error:` line and exit code 1.
    /// Only warnings are logged: the command's output stays its own.
    func withOpenStore<Result>(_ body: (any WarehouseStore) async throws -> Result) async throws -> Result {
        var logger = Logger(label: "scraper")
        logger.logLevel = .warning
        do {
            return try await withStore(logger: logger, body)
        } catch let error as StorageError {
            printError("error: \(error)")
            throw ExitCode.failure
        }
    }

    /// Where day files are downloaded before they are stored (each removed once its day is):
    /// beside the SQLite file, or named after the PostgreSQL database in the working directory.
    var flatFileCache: String {
        switch self {
        case .sqlite(let path): return path + ".flatfiles"
        case .postgres(let settings): return "./\(settings.database).flatfiles"
        }
    }
}
