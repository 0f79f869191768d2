/// Units of work shared by several workers (processes, machines) through one database: each task
/// is claimed by one worker at a time for a lease, which the worker renews while it works; a task
/// whose lease ran out (its worker died or stalled) can be claimed again. Completing requires
/// still holding the task, so of two workers that ran one task, exactly one completes it.
public protocol WorkQueue: Sendable {
    /// Who claims: recorded with the task, required to renew or complete it.
    var worker: String { get }

    /// Adds the tasks not yet known (known ones keep their state). Returns how many were new.
    @discardableResult
    func enqueue(kind: String, keys: [String]) async throws -> Int

    /// Puts tasks among `keys` that are in one of `states` back to pending with no attempts.
    /// Returns how many changed.
    @discardableResult
    func reopen(kind: String, keys: [String], states: Set<WorkState>) async throws -> Int

    /// The next pending task, or one whose lease expired, now held by this worker for `lease`; nil
    /// when none is claimable.
    func claim(kind: String, lease: Duration) async throws -> WorkClaim?

    /// Extends the lease of a task this worker still holds; false when another worker holds it.
    func renew(_ claim: WorkClaim, lease: Duration) async throws -> Bool

    /// Marks a held task done; false when its lease expired and another worker claimed it.
    func complete(_ claim: WorkClaim) async throws -> Bool

    /// Gives a held task back: pending again while its attempts are below `maximumAttempts`, else
    /// failed with `error`.
    func fail(_ claim: WorkClaim, error: String, maximumAttempts: Int) async throws -> Bool

    /// How many tasks of `kind` are in each state; only those among `keys` when given.
    func counts(kind: String, keys: [String]?) async throws -> WorkCounts

    /// The failed tasks among `keys`, with their last error.
    func failures(kind: String, keys: [String]) async throws -> [(key: String, error: String)]
}

/// The state of a shared task.
public enum WorkState: String, Sendable, Hashable, CaseIterable {
    case pending, running, done, failed
}

/// A task claimed from a ``WorkQueue``.
public struct WorkClaim: Sendable, Equatable {
    public var kind: String
    public var key: String
    /// Claims so far, this one included.
    public var attempts: Int

    public init(kind: String, key: String, attempts: Int) {
        self.kind = kind
        self.key = key
        self.attempts = attempts
    }
}

/// Task counts per state.
public struct WorkCounts: Sendable, Equatable {
    public var pending = 0
    public var running = 0
    public var done = 0
    public var failed = 0

    public init(pending: Int = 0, running: Int = 0, done: Int = 0, failed: Int = 0) {
        self.pending = pending
        self.running = running
        self.done = done
        self.failed = failed
    }

    /// Tasks not finished yet: pending, or running under some worker's lease.
    public var unfinished: Int { pending + running }
    public var total: Int { pending + running + done + failed }
}
