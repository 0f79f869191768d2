import BackfillCore
import Foundation
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
        if options.flatfiles || options.flatfilesDir != nil {
            printError("error: flat files into PostgreSQL are not yet available; use REST (without --flatfiles)")
            return 1
        }
        if options.dryRun {
            printError("error: --dry-run is not yet available with PostgreSQL; use a SQLite --db")
            return 1
        }
        guard let request = barPhases(of: request) else { return 1 }
        do {
            return try await PostgresBarStore.withStore(
                retrying(database), logger: logger, onConnectionEvent: connectionNotes()
            ) { store in
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

    /// The request without the metadata phases PostgreSQL cannot store yet: skipped with a note when
    /// left at their default, refused (nil, after one line) when named.
    func barPhases(of request: BackfillRequest) -> BackfillRequest? {
        var planned = request
        let metadata: Set<BackfillPhase> = [.reference, .actions, .news]
        let asked = planned.phases.intersection(metadata)
        if !asked.isEmpty {
            let names = asked.map(\.description).sorted().joined(separator: ",")
            guard options.phases == nil else {
                printError(
                    "error: the \(names) phases are not yet available with PostgreSQL; use --phases daily,minute")
                return nil
            }
            printError("note: PostgreSQL stores bars only for now: skipping the \(names) phases")
            planned.phases.subtract(metadata)
        }
        return planned
    }

    /// `database` with the retry deadline of `--db-retry-seconds`.
    func retrying(_ database: PostgresSettings) -> PostgresSettings {
        var settings = database
        settings.reconnectDeadline = .seconds(options.dbRetrySeconds)
        return settings
    }

    /// One line on standard error while the server is away, and one when it is back.
    func connectionNotes() -> @Sendable (PostgresBarStore.ConnectionEvent) -> Void {
        let notes = ProgressDisplay(interactive: isatty(STDERR_FILENO) == 1, json: options.logFormat == "json")
        return { event in
            switch event {
            case .retrying(let retries, let reason):
                notes.note("PostgreSQL unreachable, retrying (\(retries)): \(reason)")
            case .reconnected(let seconds):
                notes.note("PostgreSQL reachable again after \(String(format: "%.1f", seconds)) s")
            }
        }
    }
}
