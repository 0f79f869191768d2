import BackfillCore

/// Where units of backfill work (a day file, a REST chunk) keep their lifecycle between runs, and
/// where input rows that could not be stored are kept with the reason. A day file's bars, coverage,
/// indicator states, quarantined rows and its task's `done` are committed in one transaction
/// (``writeDayFile(_:)``), so a crash between days neither loses nor repeats anything.
public protocol TaskStore: Sendable {
    /// Every task of `kind`, by key.
    func tasks(kind: String) async throws -> [String: StoredTask]

    /// Inserts or replaces the task (kind, key).
    func saveTask(_ task: StoredTask) async throws

    /// Streams one day file into the store in a single transaction: pieces are pulled from `feed`
    /// on the writing thread until its `.finish`, which records coverage, quarantined rows and the
    /// task. If `feed` throws, nothing of the file is kept.
    /// - Returns: bars received and rows inserted or changed.
    func writeDayFile(_ feed: any DayFileFeed) async throws -> WriteOutcome

    /// Task counts, rows and the latest errors, per kind and state.
    func taskSummary() async throws -> [TaskStateSummary]

    /// How many rows are quarantined, and the latest `limit` of them.
    func quarantinedRows(limit: Int) async throws -> (total: Int, rows: [QuarantineRecord])

    /// Every saved indicator state of `timeframe`, under each ticker its security has had: one
    /// query instead of one per symbol.
    func indicatorStates(timeframe: Timeframe) async throws -> [String: SavedIndicatorState]
}

/// A task as stored: a ``FileTask`` state plus what identifies it and what it did.
public struct StoredTask: Sendable, Equatable {
    /// The family of work, e.g. `flat-file`.
    public var kind: String
    /// Unique within `kind`, e.g. the S3 key of a day file.
    public var key: String
    public var state: FileTask.State
    /// Attempts made, over all runs.
    public var attempts: Int
    /// Bars stored by the last successful attempt.
    public var rows: Int
    /// Input rows quarantined by the last successful attempt.
    public var quarantined: Int
    /// Bytes downloaded (the file's size).
    public var bytes: Int
    /// The last failure, for a person.
    public var error: String?
    public var updatedAtMs: Int64
    public var runID: Int64?

    public init(
        kind: String, key: String, state: FileTask.State, attempts: Int = 0, rows: Int = 0, quarantined: Int = 0,
        bytes: Int = 0, error: String? = nil, updatedAtMs: Int64, runID: Int64? = nil
    ) {
        self.kind = kind
        self.key = key
        self.state = state
        self.attempts = attempts
        self.rows = rows
        self.quarantined = quarantined
        self.bytes = bytes
        self.error = error
        self.updatedAtMs = updatedAtMs
        self.runID = runID
    }
}

/// One input row kept aside: where it came from and why it was not stored.
public struct QuarantineRecord: Sendable, Equatable, CustomStringConvertible {
    /// The file (S3 key or path) the row came from.
    public var source: String
    /// 1-based line in the decompressed file.
    public var line: Int
    public var reason: String
    /// The row's text (or the decoded values when the text was not kept), at most 200 bytes.
    public var raw: String

    public init(source: String, line: Int, reason: String, raw: String) {
        self.source = source
        self.line = line
        self.reason = reason
        self.raw = raw
    }

    public var description: String { "\(source):\(line): \(reason): \(raw)" }
}

/// Tasks of one kind in one state.
public struct TaskStateSummary: Sendable, Equatable {
    public var kind: String
    public var state: FileTask.State
    public var count: Int
    public var rows: Int
    public var quarantined: Int
    public var bytes: Int
    /// Up to three recent errors, `key: message`.
    public var errors: [String]

    public init(
        kind: String, state: FileTask.State, count: Int, rows: Int, quarantined: Int, bytes: Int, errors: [String]
    ) {
        self.kind = kind
        self.state = state
        self.count = count
        self.rows = rows
        self.quarantined = quarantined
        self.bytes = bytes
        self.errors = errors
    }
}

/// An indicator engine's saved JSON state and the last bar it has seen.
public struct SavedIndicatorState: Sendable, Equatable {
    public var lastMs: Int64
    public var state: [UInt8]

    public init(lastMs: Int64, state: [UInt8]) {
        self.lastMs = lastMs
        self.state = state
    }
}

/// One symbol's indicator state to save with a day file.
public struct IndicatorStateUpdate: Sendable, Equatable {
    public var symbol: String
    public var timeframe: Timeframe
    public var lastMs: Int64
    public var state: [UInt8]

    public init(symbol: String, timeframe: Timeframe, lastMs: Int64, state: [UInt8]) {
        self.symbol = symbol
        self.timeframe = timeframe
        self.lastMs = lastMs
        self.state = state
    }
}

/// A piece of a day file on its way into the store.
public enum DayFilePiece: Sendable {
    /// Bars of one or more symbols.
    case bars([BarBatch])
    /// Indicator states of symbols whose bars in this file are complete.
    case indicatorStates([IndicatorStateUpdate])
    /// The file is done: what to record with it. The last piece.
    case finish(DayFileCompletion)
}

/// What is committed with a day file's bars.
public struct DayFileCompletion: Sendable {
    /// Ranges now complete (per symbol, or ``BarStoreSymbols/allTickers``), `source: .flatFile`.
    public var marks: [CoverageMark]
    public var quarantined: [QuarantineRecord]
    /// The task, in state `done`.
    public var task: StoredTask

    public init(marks: [CoverageMark], quarantined: [QuarantineRecord], task: StoredTask) {
        self.marks = marks
        self.quarantined = quarantined
        self.task = task
    }
}

/// The pieces of one day file, pulled by the store's writing thread.
public protocol DayFileFeed: Sendable {
    /// Blocks until the next piece is ready.
    /// - Throws: why the file cannot be stored (truncated, unreadable); the store then rolls back.
    func next() throws -> DayFilePiece
}
