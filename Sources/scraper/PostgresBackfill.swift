import BackfillCore
import Ingestion
import Logging
import Polygon
import PostgresStore
import Storage

extension BackfillCommand {
    /// A REST backfill (sandbox or Polygon) into PostgreSQL. The bar phases run as on SQLite; the
    /// metadata phases (reference, actions, news) and flat files need stores PostgreSQL does not
    /// have yet, so they are left out when not asked for and refused when asked for.
    func runOnPostgres(
        _ database: PostgresSettings, request: BackfillRequest, settings: SettingsSource, logger: Logger
    ) async -> Int32 {
        var planned = request
        if options.flatfiles || options.flatfilesDir != nil {
            printError("error: flat files into PostgreSQL are not yet available; use REST (without --flatfiles)")
            return 1
        }
        if options.dryRun {
            printError("error: --dry-run is not yet available with PostgreSQL; use a SQLite --db")
            return 1
        }
        let metadata: Set<BackfillPhase> = [.reference, .actions, .news]
        let asked = planned.phases.intersection(metadata)
        if !asked.isEmpty {
            let names = asked.map(\.description).sorted().joined(separator: ",")
            guard options.phases == nil else {
                printError(
                    "error: the \(names) phases are not yet available with PostgreSQL; use --phases daily,minute")
                return 1
            }
            printError("note: PostgreSQL stores bars only for now: skipping the \(names) phases")
            planned.phases.subtract(metadata)
        }
        let request = planned
        do {
            return try await PostgresBarStore.withStore(database, logger: logger) { store in
                try await withRESTClient(settings: settings, logger: logger) { client, source in
                    await execute(
                        request, client: client, store: store, reference: nil, logger: logger, source: source,
                        database: database.redacted)
                }
            }
        } catch {
            printError("error: \(error)")
            return 1
        }
    }
}
