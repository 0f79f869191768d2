import BackfillCore
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Storage
import Synchronization

/// Tasks, quarantined rows and day files on PostgreSQL, as on SQLite: a day file's bars, coverage,
/// indicator states, quarantined rows and its task's `done` commit in one transaction.
extension PostgresBarStore: TaskStore {
    public func tasks(kind: String) async throws -> [String: StoredTask] {
        try await read("tasks of kind \(kind)") { [self] connection in
            let rows = try await connection.query(
                """
                SELECT kind, key, state, attempts, rows, quarantined, bytes, error, updated_at_ms, run_id
                FROM tasks WHERE kind = \(kind)
                """, logger: logger)
            var tasks: [String: StoredTask] = [:]
            for try await (kind, key, state, attempts, count, quarantined, bytes, error, updated, run) in rows.decode(
                (String, String, String, Int64, Int64, Int64, Int64, String?, Int64, Int64?).self)
            {
                tasks[key] = StoredTask(
                    kind: kind, key: key, state: FileTask.State(rawValue: state) ?? .pending, attempts: Int(attempts),
                    rows: Int(count), quarantined: Int(quarantined), bytes: Int(bytes), error: error,
                    updatedAtMs: updated, runID: run)
            }
            return tasks
        }
    }

    public func saveTask(_ task: StoredTask) async throws {
        try await transaction("save task \(task.kind) \(task.key)") { [self] context in
            try await PostgresTaskRows(context: context).save(task)
        }
    }

    public func writeDayFile(_ feed: any DayFileFeed) async throws -> WriteOutcome {
        let pump = DayFilePump(feed)
        // The feed's own failure (a truncated file, a stop) reaches the caller as it was thrown, so
        // the runner can tell a retryable download from a bad file; the store's are StorageErrors.
        let feedFailure = Mutex<(any Error)?>(nil)  // set by the transaction's task, read here
        do {
            return try await transaction("store a day file") { [self] context in
                var writer = PostgresDayFileWriter(store: self, context: context)
                while true {
                    let piece: DayFilePiece
                    do {
                        piece = try await pump.next()
                    } catch {
                        feedFailure.withLock { $0 = error }
                        throw error
                    }
                    switch piece {
                    case .bars(let batches): try await writer.write(batches)
                    case .indicatorStates(let states): try await writer.save(states)
                    case .finish(let completion):
                        try await writer.finish(completion)
                        return writer.outcome
                    }
                }
            }
        } catch {
            throw feedFailure.withLock { $0 } ?? error
        }
    }

    public func taskSummary() async throws -> [TaskStateSummary] {
        try await read("task summary") { [self] connection in
            let rows = try await connection.query(
                """
                SELECT kind, state, COUNT(*), SUM(rows)::bigint, SUM(quarantined)::bigint, SUM(bytes)::bigint,
                    (SELECT array_agg(e.key || ': ' || e.error ORDER BY e.updated_at_ms DESC) FROM (
                        SELECT key, error, updated_at_ms FROM tasks x
                        WHERE x.kind = t.kind AND x.state = t.state AND x.error IS NOT NULL
                        ORDER BY updated_at_ms DESC LIMIT 3) e)
                FROM tasks t GROUP BY kind, state ORDER BY kind COLLATE "C", state COLLATE "C"
                """, logger: logger)
            var summaries: [TaskStateSummary] = []
            for try await (kind, state, count, total, quarantined, bytes, errors) in rows.decode(
                (String, String, Int64, Int64?, Int64?, Int64?, [String]?).self)
            {
                summaries.append(
                    TaskStateSummary(
                        kind: kind, state: FileTask.State(rawValue: state) ?? .pending, count: Int(count),
                        rows: Int(total ?? 0), quarantined: Int(quarantined ?? 0), bytes: Int(bytes ?? 0),
                        errors: errors ?? []))
            }
            return summaries
        }
    }

    public func quarantinedRows(limit: Int) async throws -> (total: Int, rows: [QuarantineRecord]) {
        let page = try await read("quarantined rows") { [self] connection in
            var page = QuarantinePage()
            for try await total in try await connection.query("SELECT COUNT(*) FROM quarantine", logger: logger)
                .decode(Int64.self)
            {
                page.total = Int(total)
            }
            let rows = try await connection.query(
                "SELECT source, line, reason, raw FROM quarantine ORDER BY id DESC LIMIT \(limit)", logger: logger)
            for try await (source, line, reason, raw) in rows.decode((String, Int64, String, String).self) {
                page.rows.append(QuarantineRecord(source: source, line: Int(line), reason: reason, raw: raw))
            }
            return page
        }
        return (page.total, page.rows.reversed())
    }

    public func indicatorStates(timeframe: Timeframe) async throws -> [String: SavedIndicatorState] {
        try await read("indicator states of \(timeframe)") { [self] connection in
            let rows = try await connection.query(
                """
                SELECT n.ticker, i.last_t, i.state FROM indicator_state i
                JOIN ticker_names n ON n.security_id = i.security_id WHERE i.timeframe = \(timeframe.description)
                """, logger: logger)
            var states: [String: SavedIndicatorState] = [:]
            for try await (ticker, last, state) in rows.decode((String, Int64, ByteBuffer).self) {
                states[ticker] = SavedIndicatorState(lastMs: last, state: Array(state.readableBytesView))
            }
            return states
        }
    }
}

/// A count and a page of quarantined rows, carried out of the pool's closure.
struct QuarantinePage: Sendable {
    var total = 0
    var rows: [QuarantineRecord] = []
}

/// Task rows and quarantined input rows, written inside a transaction.
struct PostgresTaskRows {
    let context: PostgresWriteContext

    func save(_ task: StoredTask) async throws {
        try await context.connection.query(
            """
            INSERT INTO tasks (kind, key, state, attempts, rows, quarantined, bytes, error, updated_at_ms, run_id)
            VALUES (\(task.kind), \(task.key), \(task.state.rawValue), \(task.attempts), \(task.rows),
                \(task.quarantined), \(task.bytes), \(task.error), \(task.updatedAtMs), \(task.runID))
            ON CONFLICT (kind, key) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,
                rows = excluded.rows, quarantined = excluded.quarantined, bytes = excluded.bytes,
                error = excluded.error, updated_at_ms = excluded.updated_at_ms, run_id = excluded.run_id
            """, logger: context.logger)
    }

    /// Upserts by (source, line) in file order; a line given twice keeps its last record, as a
    /// row-by-row upsert would.
    func insert(_ records: [QuarantineRecord]) async throws {
        guard !records.isEmpty else { return }
        var seen = Set<String>()
        let unique = records.reversed().filter { seen.insert("\($0.line) \($0.source)").inserted }.reversed()
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        try await context.connection.query(
            """
            INSERT INTO quarantine (source, line, reason, raw, recorded_at_ms)
            SELECT source, line, reason, raw, \(now) FROM unnest(\(unique.map(\.source))::text[],
                \(unique.map { Int64($0.line) })::bigint[], \(unique.map { Self.text($0.reason) })::text[],
                \(unique.map { Self.text($0.raw) })::text[]) WITH ORDINALITY AS u(source, line, reason, raw, ord)
            ORDER BY ord
            ON CONFLICT (source, line) DO UPDATE SET reason = excluded.reason, raw = excluded.raw,
                recorded_at_ms = excluded.recorded_at_ms
            """, logger: context.logger)
    }

    /// PostgreSQL text cannot hold NUL, which a damaged file's row may: kept as `\\0`.
    static func text(_ value: String) -> String {
        value.contains("\u{0}") ? value.replacingOccurrences(of: "\u{0}", with: "\\0") : value
    }
}
