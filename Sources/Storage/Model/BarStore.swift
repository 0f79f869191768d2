import BackfillCore

/// Where bars live. Every write is an idempotent upsert keyed by (symbol, timeframe, window start),
/// and the date range a write completes is recorded in the same transaction, so a crash can never
/// leave a range marked as fetched without its bars, or bars without knowing the range is done.
public protocol BarStore: Sendable {
    /// Upserts `batch` and, when given, marks `range` as fully fetched — atomically.
    /// - Returns: how many rows were new or changed (unchanged rows count as nothing).
    func write(_ batch: BarBatch, covering range: DayRange?) async throws -> WriteOutcome

    /// Upserts many symbols' bars in one transaction (a flat-file or grouped-daily day), all or
    /// nothing; `mark` records a completed range under a symbol in the same transaction (the
    /// market-wide symbol ``BarStoreSymbols/allTickers`` for a whole-market day).
    func write(_ batches: [BarBatch], marking mark: CoverageMark?) async throws -> WriteOutcome

    /// Upserts many symbols' bars in one transaction without completing any range (live bars, the
    /// refill of a feed gap); `source` goes to the completeness ledger.
    func write(_ batches: [BarBatch], source: BarSource) async throws -> WriteOutcome

    /// The date ranges already fetched for a symbol and timeframe, merged and sorted.
    func coverage(symbol: String, timeframe: Timeframe) async throws -> [DayRange]

    /// The days a backfill need not request under `symbol`: the ranges fetched (``coverage(symbol:timeframe:)``)
    /// and, when reference data gives the ticker's interval, the days outside it (before its listing
    /// or rename to it, after its delisting or rename away), so asking for META does not mark FB's
    /// years as fetched. Merged and sorted.
    func coverageForPlanning(symbol: String, timeframe: Timeframe) async throws -> [DayRange]

    /// Stored bars with `fromMs <= windowStartMs <= toMs`, ascending, at most `limit`.
    func bars(symbol: String, timeframe: Timeframe, fromMs: Int64, toMs: Int64, limit: Int) async throws -> [Bar]

    /// Per symbol and timeframe: bar count and first/last bar time.
    func inventory() async throws -> [InventoryRow]

    /// The saved indicator state of a symbol and timeframe (JSON) and the last bar it has seen.
    func indicatorState(symbol: String, timeframe: Timeframe) async throws -> (lastMs: Int64, state: [UInt8])?

    /// Saves the indicator state after the bar at `lastMs`, replacing the previous one.
    func saveIndicatorState(symbol: String, timeframe: Timeframe, lastMs: Int64, state: [UInt8]) async throws

    /// Stores the record of one run (what was asked, what happened).
    func recordRun(_ run: RunRecord) async throws

    /// The latest runs, newest first.
    func recentRuns(limit: Int) async throws -> [RunRecord]
}

/// A completed range to record with a write.
public struct CoverageMark: Sendable, Equatable {
    public var symbol: String
    public var timeframe: Timeframe
    public var range: DayRange
    /// What fetched the range, for the completeness ledger.
    public var source: BarSource

    public init(symbol: String, timeframe: Timeframe, range: DayRange, source: BarSource = .rest) {
        self.symbol = symbol
        self.timeframe = timeframe
        self.range = range
        self.source = source
    }
}

public enum BarStoreSymbols {
    /// Coverage recorded for the whole market (a grouped-daily day holds every ticker that traded).
    public static let allTickers = "*"
}

extension BarStore {
    /// Without reference data, the days fetched.
    public func coverageForPlanning(symbol: String, timeframe: Timeframe) async throws -> [DayRange] {
        try await coverage(symbol: symbol, timeframe: timeframe)
    }

    public func write(_ batches: [BarBatch]) async throws -> WriteOutcome {
        try await write(batches, marking: nil)
    }
}

public struct WriteOutcome: Sendable, Equatable {
    /// Bars handed to the store.
    public var received: Int
    /// Rows inserted or whose values changed.
    public var changed: Int

    public init(received: Int, changed: Int) {
        self.received = received
        self.changed = changed
    }
}

public struct InventoryRow: Sendable, Equatable, Codable {
    public var symbol: String
    public var timeframe: String
    public var bars: Int
    public var firstMs: Int64?
    public var lastMs: Int64?
    /// The last New York date it traded, when delisted (its history is kept).
    public var delistedOn: String?
    /// Earlier tickers of the same security, whose bars are included (FB for META).
    public var formerTickers: [String]

    public init(
        symbol: String, timeframe: String, bars: Int, firstMs: Int64?, lastMs: Int64?, delistedOn: String? = nil,
        formerTickers: [String] = []
    ) {
        self.symbol = symbol
        self.timeframe = timeframe
        self.bars = bars
        self.firstMs = firstMs
        self.lastMs = lastMs
        self.delistedOn = delistedOn
        self.formerTickers = formerTickers
    }
}

/// What one `scraper` run did, kept in the database as its record.
public struct RunRecord: Sendable, Equatable, Codable {
    public var startedAtMs: Int64
    public var finishedAtMs: Int64
    /// `completed`, `failed` or `interrupted`.
    public var status: String
    public var tickers: [String]
    public var barsReceived: Int
    public var barsChanged: Int
    public var requests: Int
    public var errors: [String]
    /// The final report as JSON (phases, counts per timeframe, failures), when the run wrote one.
    public var report: String?

    public init(
        startedAtMs: Int64, finishedAtMs: Int64, status: String, tickers: [String], barsReceived: Int,
        barsChanged: Int, requests: Int, errors: [String], report: String? = nil
    ) {
        self.report = report
        self.startedAtMs = startedAtMs
        self.finishedAtMs = finishedAtMs
        self.status = status
        self.tickers = tickers
        self.barsReceived = barsReceived
        self.barsChanged = barsChanged
        self.requests = requests
        self.errors = errors
    }
}
