import BackfillCore
import Foundation
import GRDB

extension SQLiteBarStore: TaskStore {
    /// Pages of cache the writing connection uses while a day file streams in (negative: KiB), so a
    /// 1.6 M-row transaction does not spill to the WAL page by page.
    public static let dayFileCacheKiB = 131_072

    public func tasks(kind: String) async throws -> [String: StoredTask] {
        try await readTasks("tasks of kind \(kind)") { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, key, state, attempts, rows, quarantined, bytes, error, updated_at_ms, run_id
                    FROM tasks WHERE kind = ?
                    """, arguments: [kind])
            var tasks: [String: StoredTask] = [:]
            for row in rows {
                let task = Self.task(row)
                tasks[task.key] = task
            }
            return tasks
        }
    }

    public func saveTask(_ task: StoredTask) async throws {
        do {
            try await pool.write { db in try Self.save(task, db) }
        } catch {
            throw StorageError(.write, "cannot save task \(task.kind) \(task.key) in '\(path)'", underlying: error)
        }
    }

    public func writeDayFile(_ feed: any DayFileFeed) async throws -> WriteOutcome {
        do {
            return try await pool.write { db in
                try db.execute(sql: "PRAGMA cache_size = -\(Self.dayFileCacheKiB)")
                // A day file holds one day: each ticker resolves once, to the security it named that day.
                var ids: [String: Int64] = [:]
                func id(_ ticker: String, atMs ms: Int64?) throws -> Int64 {
                    if let known = ids[ticker] { return known }
                    let found = try Self.securityID(db, ticker: ticker, on: ms.map(EasternTime.date(containing:)))
                    ids[ticker] = found
                    return found
                }
                var outcome = WriteOutcome(received: 0, changed: 0)
                while true {
                    switch try feed.next() {
                    case .bars(let batches):
                        for batch in batches where !batch.bars.isEmpty {
                            let table = try SQLiteSchema.table(for: batch.timeframe)
                            let security = try id(batch.symbol, atMs: batch.bars[0].windowStartMs)
                            outcome.changed += try Self.upsert(
                                db, table: table, securityID: security, bars: batch.bars, source: .flatFile)
                            outcome.received += batch.bars.count
                        }
                    case .indicatorStates(let states):
                        for state in states {
                            try Self.saveIndicatorState(state, securityID: try id(state.symbol, atMs: state.lastMs), db)
                        }
                    case .finish(let completion):
                        for mark in completion.marks {
                            let security =
                                mark.symbol == BarStoreSymbols.allTickers
                                ? try Self.securityID(db, ticker: mark.symbol) : try id(mark.symbol, atMs: nil)
                            try Self.addCoverage(
                                db, securityID: security, timeframe: mark.timeframe, range: mark.range,
                                source: mark.source)
                        }
                        try Self.insert(completion.quarantined, db)
                        try Self.save(completion.task, db)
                        return outcome
                    }
                }
            }
        } catch let error as DatabaseError {
            throw StorageError(.write, "cannot store a day file in '\(path)'", underlying: error)
        }
    }

    public func taskSummary() async throws -> [TaskStateSummary] {
        try await readTasks("task summary") { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, state, COUNT(*), SUM(rows), SUM(quarantined), SUM(bytes) FROM tasks
                    GROUP BY kind, state ORDER BY kind, state
                    """)
            return try rows.map { row in
                let kind: String = row[0]
                let state = FileTask.State(rawValue: row[1]) ?? .pending
                let errors = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT key, error FROM tasks WHERE kind = ? AND state = ? AND error IS NOT NULL
                        ORDER BY updated_at_ms DESC LIMIT 3
                        """, arguments: [kind, state.rawValue]
                ).map { "\($0[0] as String): \($0[1] as String)" }
                return TaskStateSummary(
                    kind: kind, state: state, count: row[2], rows: row[3] ?? 0, quarantined: row[4] ?? 0,
                    bytes: row[5] ?? 0, errors: errors)
            }
        }
    }

    public func quarantinedRows(limit: Int) async throws -> (total: Int, rows: [QuarantineRecord]) {
        try await readTasks("quarantined rows") { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM quarantine") ?? 0
            let rows = try Row.fetchAll(
                db, sql: "SELECT source, line, reason, raw FROM quarantine ORDER BY id DESC LIMIT ?", arguments: [limit]
            ).map { QuarantineRecord(source: $0[0], line: $0[1], reason: $0[2], raw: $0[3]) }
            return (total, rows.reversed())
        }
    }

    public func indicatorStates(timeframe: Timeframe) async throws -> [String: SavedIndicatorState] {
        try await readTasks("indicator states of \(timeframe)") { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT n.ticker, i.last_t, i.state FROM indicator_state i
                    JOIN ticker_names n ON n.security_id = i.security_id WHERE i.timeframe = ?
                    """, arguments: [timeframe.description])
            var states: [String: SavedIndicatorState] = [:]
            while let row = try rows.next() {
                states[row[0]] = SavedIndicatorState(lastMs: row[1], state: Self.stateBytes(row[2]))
            }
            return states
        }
    }

    // MARK: - Statements

    static func task(_ row: Row) -> StoredTask {
        StoredTask(
            kind: row[0], key: row[1], state: FileTask.State(rawValue: row[2]) ?? .pending, attempts: row[3],
            rows: row[4], quarantined: row[5], bytes: row[6], error: row[7], updatedAtMs: row[8], runID: row[9])
    }

    static func save(_ task: StoredTask, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO tasks (kind, key, state, attempts, rows, quarantined, bytes, error, updated_at_ms, run_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (kind, key) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,
                    rows = excluded.rows, quarantined = excluded.quarantined, bytes = excluded.bytes,
                    error = excluded.error, updated_at_ms = excluded.updated_at_ms, run_id = excluded.run_id
                """,
            arguments: [
                task.kind, task.key, task.state.rawValue, task.attempts, task.rows, task.quarantined, task.bytes,
                task.error, task.updatedAtMs, task.runID,
            ])
    }

    static func insert(_ rows: [QuarantineRecord], _ db: Database) throws {
        guard !rows.isEmpty else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO quarantine (source, line, reason, raw, recorded_at_ms) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (source, line) DO UPDATE SET reason = excluded.reason, raw = excluded.raw,
                    recorded_at_ms = excluded.recorded_at_ms
                """)
        for row in rows {
            try statement.execute(arguments: [row.source, row.line, row.reason, row.raw, now])
        }
    }

    static func saveIndicatorState(_ update: IndicatorStateUpdate, securityID: Int64, _ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO indicator_state (security_id, timeframe, last_t, state) VALUES (?, ?, ?, ?)
                ON CONFLICT (security_id, timeframe) DO UPDATE SET last_t = excluded.last_t, state = excluded.state
                """)
        try statement.execute(arguments: [
            securityID, update.timeframe.description, update.lastMs, Data(update.state),
        ])
    }

    /// A saved state's bytes: a BLOB (compact state), or TEXT (JSON, as earlier versions saved it).
    static func stateBytes(_ value: DatabaseValue) -> [UInt8] {
        switch value.storage {
        case .blob(let data): return Array(data)
        case .string(let text): return Array(text.utf8)
        default: return []
        }
    }

    private func readTasks<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T)
        async throws -> T
    {
        do {
            return try await pool.read(body)
        } catch {
            throw StorageError(.read, "cannot read \(what) from '\(path)'", underlying: error)
        }
    }
}
