import BackfillCore
import Foundation
import Ingestion
import Logging
import Polygon
import PostgresStore
import Storage

extension BackfillCommand {
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
