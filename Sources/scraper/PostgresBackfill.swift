import BackfillCore
import Ingestion
import Logging
import Polygon
import PostgresStore
import Storage

extension BackfillCommand {
    /// A backfill into PostgreSQL: every phase (reference, actions, daily, minute, news), day files
    /// from S3 or a folder, and `--dry-run`, exactly as into SQLite, with the pool open around the run.
    func runOnPostgres(
        _ database: PostgresSettings, request: BackfillRequest, settings: SettingsSource, logger: Logger
    ) async -> Int32 {
        do {
            return try await PostgresBarStore.withStore(database, logger: logger) { store in
                try await run(request, store: store, target: .postgres(database), settings: settings, logger: logger)
            }
        } catch {
            printError("error: \(error)")
            return 1
        }
    }
}
