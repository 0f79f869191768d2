import Logging
import PostgresNIO
import Storage

/// Units of work shared by several workers (processes, machines) through one database: a worker
/// claims the next pending task with `SELECT … FOR UPDATE SKIP LOCKED` (claimers never wait for or
/// collide with each other) and holds it for a lease; a task whose lease ran out — its worker died
/// or stalled — is claimable again. Completing requires still holding the lease, so of two workers
/// that both ran a task (one too slowly) exactly one completes it. Times are the server's clock,
/// so workers' clocks need not agree.
public struct PostgresWorkQueue: WorkQueue {
    public typealias Claim = WorkClaim
    public typealias Counts = WorkCounts

    public let store: PostgresBarStore
    /// Who claims: shown in the table, required to renew or complete.
    public let worker: String

    public init(store: PostgresBarStore, worker: String) {
        self.store = store
        self.worker = worker
    }

    /// Adds tasks not yet known (known ones keep their state). Returns how many were new.
    @discardableResult
    public func enqueue(kind: String, keys: [String]) async throws -> Int {
        try await store.transaction("enqueue \(keys.count) \(kind) tasks") { context in
            try await count(
                context.connection.query(
                    """
                    WITH added AS (
                        INSERT INTO work_tasks (kind, key, state, updated_at_ms)
                        SELECT \(kind), unnest(\(keys)::text[]), 'pending', \(unescaped: Self.nowMs)
                        ON CONFLICT (kind, key) DO NOTHING RETURNING 1
                    ) SELECT COUNT(*) FROM added
                    """, logger: context.logger))
        }
    }

    /// The next pending task (or one whose lease expired), now held by this worker for `lease`;
    /// nil when none is claimable.
    public func claim(kind: String, lease: Duration) async throws -> Claim? {
        let leaseMs = Self.milliseconds(lease)
        return try await store.transaction("claim a \(kind) task") { context in
            let rows = try await context.connection.query(
                """
                WITH next AS (
                    SELECT kind, key FROM work_tasks
                    WHERE kind = \(kind)
                        AND (state = 'pending' OR (state = 'running' AND lease_until_ms < \(unescaped: Self.nowMs)))
                    ORDER BY key LIMIT 1 FOR UPDATE SKIP LOCKED
                )
                UPDATE work_tasks w SET state = 'running', worker = \(worker), attempts = w.attempts + 1,
                    lease_until_ms = \(unescaped: Self.nowMs) + \(leaseMs), updated_at_ms = \(unescaped: Self.nowMs)
                FROM next WHERE w.kind = next.kind AND w.key = next.key
                RETURNING w.key, w.attempts
                """, logger: context.logger)
            for try await (key, attempts) in rows.decode((String, Int32).self) {
                return Claim(kind: kind, key: key, attempts: Int(attempts))
            }
            return nil
        }
    }

    /// Extends the lease of a task this worker still holds; false when another worker claimed it.
    public func renew(_ claim: Claim, lease: Duration) async throws -> Bool {
        try await update(
            claim, "renew",
            "lease_until_ms = \(Self.nowMs) + \(Self.milliseconds(lease))")
    }

    /// Marks a task done if this worker still holds it; false when its lease expired and another
    /// worker claimed it (that worker completes it instead).
    /// A retry after a lost reply finds the task already done by this worker: that counts as completed.
    public func complete(_ claim: Claim) async throws -> Bool {
        try await update(claim, "complete", "state = 'done', lease_until_ms = NULL", alsoIn: "done")
    }

    /// Gives a held task back: pending again while `attempts` < `maximumAttempts`, else failed with `error`.
    public func fail(_ claim: Claim, error: String, maximumAttempts: Int) async throws -> Bool {
        let state = claim.attempts < maximumAttempts ? "pending" : "failed"
        return try await store.transaction("fail \(claim.kind) \(claim.key)") { context in
            try await count(
                context.connection.query(
                    """
                    WITH changed AS (
                        UPDATE work_tasks SET state = \(state), error = \(error), lease_until_ms = NULL,
                            updated_at_ms = \(unescaped: Self.nowMs)
                        WHERE kind = \(claim.kind) AND key = \(claim.key) AND worker = \(worker) AND state = 'running'
                        RETURNING 1
                    ) SELECT COUNT(*) FROM changed
                    """, logger: context.logger)) == 1
        }
    }

    /// How many tasks of `kind` are in each state.
    public func counts(kind: String) async throws -> Counts {
        try await counts(kind: kind, keys: nil)
    }

    public func counts(kind: String, keys: [String]?) async throws -> Counts {
        try await store.read("\(kind) task counts") { connection in
            var counts = Counts()
            let rows = try await connection.query(
                """
                SELECT state, COUNT(*) FROM work_tasks
                WHERE kind = \(kind) AND (\(keys == nil) OR key = ANY(\(keys ?? [])::text[])) GROUP BY state
                """, logger: store.logger)
            for try await (state, count) in rows.decode((String, Int64).self) {
                switch WorkState(rawValue: state) {
                case .pending: counts.pending = Int(count)
                case .running: counts.running = Int(count)
                case .done: counts.done = Int(count)
                case .failed, nil: counts.failed += Int(count)
                }
            }
            return counts
        }
    }

    @discardableResult
    public func reopen(kind: String, keys: [String], states: Set<WorkState>) async throws -> Int {
        try await store.transaction("reopen \(kind) tasks") { context in
            try await count(
                context.connection.query(
                    """
                    WITH changed AS (
                        UPDATE work_tasks SET state = 'pending', attempts = 0, error = NULL, lease_until_ms = NULL,
                            updated_at_ms = \(unescaped: Self.nowMs)
                        WHERE kind = \(kind) AND key = ANY(\(keys)::text[]) AND state = ANY(\(states.map(\.rawValue))::text[])
                        RETURNING 1
                    ) SELECT COUNT(*) FROM changed
                    """, logger: context.logger))
        }
    }

    public func failures(kind: String, keys: [String]) async throws -> [(key: String, error: String)] {
        try await store.read("failed \(kind) tasks") { connection in
            var failures: [(key: String, error: String)] = []
            let rows = try await connection.query(
                """
                SELECT key, COALESCE(error, '') FROM work_tasks
                WHERE kind = \(kind) AND key = ANY(\(keys)::text[]) AND state = 'failed' ORDER BY key
                """, logger: store.logger)
            for try await (key, error) in rows.decode((String, String).self) { failures.append((key, error)) }
            return failures
        }
    }

    private func update(_ claim: Claim, _ what: String, _ assignments: String, alsoIn state: String = "running")
        async throws -> Bool
    {
        try await store.transaction("\(what) \(claim.kind) \(claim.key)") { context in
            try await count(
                context.connection.query(
                    """
                    WITH changed AS (
                        UPDATE work_tasks SET \(unescaped: assignments), updated_at_ms = \(unescaped: Self.nowMs)
                        WHERE kind = \(claim.kind) AND key = \(claim.key) AND worker = \(worker)
                            AND state IN ('running', \(state))
                        RETURNING 1
                    ) SELECT COUNT(*) FROM changed
                    """, logger: context.logger)) == 1
        }
    }

    private func count(_ rows: PostgresRowSequence) async throws -> Int {
        for try await value in rows.decode(Int64.self) { return Int(value) }
        return 0
    }

    /// The server's wall clock in ms (`clock_timestamp`, not the transaction's start).
    static let nowMs = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
