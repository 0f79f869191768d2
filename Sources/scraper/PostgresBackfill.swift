import BackfillCore
import Foundation
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
            return try await PostgresBarStore.withStore(
                retrying(database), logger: logger, onConnectionEvent: connectionNotes()
            ) { store in
                try await run(request, store: store, target: .postgres(database), settings: settings, logger: logger)
            }
        } catch {
            printError("error: \(error)")
            return 1
        }
    }

    /// The request without the metadata phases, which workers sharing a queue (`--workers-from`) do
    /// not share yet: skipped with a note when left at their default, refused (nil, after one line)
    /// when named.
    func barPhases(of request: BackfillRequest) -> BackfillRequest? {
        var planned = request
        let metadata: Set<BackfillPhase> = [.reference, .actions, .news]
        let asked = planned.phases.intersection(metadata)
        if !asked.isEmpty {
            let names = asked.map(\.description).sorted().joined(separator: ",")
            guard options.phases == nil else {
                printError(
                    "error: workers share the daily and minute phases only, not \(names); use --phases daily,minute")
                return nil
            }
            printError("note: workers share the bar phases only: skipping the \(names) phases")
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
