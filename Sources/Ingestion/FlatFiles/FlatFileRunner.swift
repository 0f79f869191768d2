import BackfillCore
import Foundation
import Logging
import MessageBus
import Polygon
import Storage

/// Backfills bars from day flat files: plans one task per (dataset, day) not yet stored, downloads
/// ahead with bounded concurrency, and processes the days in date order, each in one transaction
/// with its coverage, quarantined rows, indicator states and task state (``DayFileProcessor``).
public struct FlatFileRunner: Sendable {
    public struct Configuration: Sendable {
        /// Where downloads land (removed once their day is stored).
        public var cacheDirectory: String
        /// Files downloaded ahead of the one being processed.
        public var concurrency: Int
        /// Attempts per file in one run (each after the S3 client's own retries).
        public var maxAttempts: Int
        /// Also mark wanted tickers absent from a file as complete for its day (no REST follows).
        public var markAbsentTickers: Bool
        public var decoder: FlatFileDecoder.Configuration
        public var indicators: IndicatorEngine.Configuration

        public init(
            cacheDirectory: String, concurrency: Int = 4, maxAttempts: Int = 3, markAbsentTickers: Bool = true,
            decoder: FlatFileDecoder.Configuration = .init(maxQuarantineDetails: 100_000),
            indicators: IndicatorEngine.Configuration = .init()
        ) {
            self.cacheDirectory = cacheDirectory
            self.concurrency = max(1, concurrency)
            self.maxAttempts = max(1, maxAttempts)
            self.markAbsentTickers = markAbsentTickers
            self.decoder = decoder
            self.indicators = indicators
        }
    }

    /// Quarantined rows kept in the report (all are stored).
    public static let reportedQuarantine = 1_000

    public let source: any FlatFileSource
    public let store: any BarStore & TaskStore
    public let configuration: Configuration
    public let logger: Logger
    /// Where each committed day file's bars are announced per ticker (`bars.{tf}.{ticker}`, as REST
    /// chunks are), for open charts; nil: nowhere.
    public let bus: (any MessageBus)?
    let calendar = TradingCalendar()

    public init(
        source: any FlatFileSource, store: any BarStore & TaskStore, configuration: Configuration, logger: Logger,
        bus: (any MessageBus)? = nil
    ) {
        self.bus = bus
        self.source = source
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// Plans without fetching anything (for `--dry-run` and the hybrid split).
    public func plan(_ request: BackfillRequest) async throws -> FlatFilePlanner.Plan {
        try await FlatFilePlanner(source: source, store: store, calendar: calendar).plan(request)
    }

    /// Runs `request` to the end, or until the task is cancelled (the day in progress then commits
    /// whole or not at all).
    /// - Parameter stop: checked between day files (Ctrl-C); cancelling the task also stops, at once.
    public func run(
        _ request: BackfillRequest, plan given: FlatFilePlanner.Plan? = nil, stop: StopRequest = StopRequest(),
        onProgress: @escaping @Sendable (BackfillProgress) -> Void = { _ in }
    ) async throws -> FlatFileReport {
        let plan: FlatFilePlanner.Plan
        if let given { plan = given } else { plan = try await self.plan(request) }
        var books: [DayFileDataset: IndicatorBook] = [:]
        for dataset in Set(plan.jobs.map(\.dataset)) {
            books[dataset] = IndicatorBook(
                saved: try await store.indicatorStates(timeframe: dataset.timeframe),
                configuration: configuration.indicators)
        }
        var state = RunState(plan: plan, source: source, started: .now)
        state.progress.itemsTotal = plan.jobs.count
        await emit(state.snapshot(), onProgress)
        try await withPrefetch(plan.jobs, stop: stop) { index, download in
            try await process(plan.jobs[index], download, request: request, books: books, run: &state)
            var progress = state.snapshot()
            progress.lastItem = plan.jobs[index].object.key
            await emit(progress, onProgress)
        }
        if !stop.isRequested { try await recomputeOlderHistory(books) }
        let wanted = request.allTickers ? [] : request.tickers
        let status: BackfillReport.Status =
            Task.isCancelled || stop.isRequested
            ? .interrupted : (state.failures.isEmpty && plan.skippedFailed.isEmpty ? .completed : .failed)
        return FlatFileReport(
            status: status, plan: plan, progress: state.snapshot(), barsByTimeframe: state.received,
            changedByTimeframe: state.changed, failures: state.failures, quarantined: state.quarantined,
            quarantinedCount: state.quarantinedCount,
            absentTickers: plan.jobs.isEmpty ? [] : wanted.filter { !state.present.contains($0) })
    }

    /// Counters of one run.
    struct RunState {
        var plan: FlatFilePlanner.Plan
        /// Its HTTP counters (requests, retries, 429s, latency) are the run's: a source serves one run.
        var source: any FlatFileSource
        var started: ContinuousClock.Instant
        var progress = BackfillProgress()
        var received: [String: Int] = [:]
        var changed: [String: Int] = [:]
        var failures: [BackfillFailure] = []
        var quarantined: [QuarantineRecord] = []
        var quarantinedCount = 0
        var present: Set<String> = []

        func snapshot() -> BackfillProgress {
            var progress = progress
            let requests = source.statistics
            progress.requests = requests.requests
            progress.retries = requests.retries
            progress.rateLimited = requests.rateLimited
            progress.requestLatency = requests.latency
            progress.elapsedSeconds = (ContinuousClock.now - started).inSeconds
            return progress
        }
    }

    // MARK: - One day file

    private func process(
        _ job: FlatFilePlanner.Job, _ prefetched: Result<String, any Error>, request: BackfillRequest,
        books: [DayFileDataset: IndicatorBook], run: inout RunState
    ) async throws {
        var task = FileTask(maxAttempts: configuration.maxAttempts)
        var record = StoredTask(
            kind: DayFileDataset.taskKind, key: job.object.key, state: .pending, attempts: job.previous?.attempts ?? 0,
            bytes: job.object.size, updatedAtMs: Self.nowMs())
        var download: Result<String, any Error>? = prefetched
        while !task.isFinished {
            if Task.isCancelled { return }
            do {
                _ = try task.apply(.start)
                record.attempts += 1
                try await save(&record, .downloading)
                let path: String
                if let prefetched = download { path = try prefetched.get() } else { path = try await fetch(job) }
                download = nil
                _ = try task.apply(.downloaded)
                try await save(&record, .processing)
                let outcome = try await processor(job, path: path, request: request, book: books[job.dataset]!, record)
                    .run(store: store)
                _ = try task.apply(.processed(rows: outcome.write.received))
                removeDownload(path)
                account(job, outcome, into: &run)
                await announce(job, outcome)
            } catch {
                download = nil
                if error is CancellationError || Task.isCancelled { return }
                let retryable = (error as? PolygonError)?.isRetryable ?? false
                let message = String(describing: error)
                if case .giveUp = try task.apply(.failed(message: message, retryable: retryable)) {
                    logger.error(
                        "day file failed",
                        metadata: [MetadataKey.task: "\(job.object.key)", MetadataKey.reason: "\(message)"])
                    record.error = message
                    try await save(&record, .failed)
                    run.progress.itemsFailed += 1
                    run.failures.append(BackfillFailure(item: job.object.key, message: message))
                } else {
                    removeDownload(configuration.cacheDirectory + "/" + job.object.key)
                }
            }
        }
    }

    private func processor(
        _ job: FlatFilePlanner.Job, path: String, request: BackfillRequest, book: IndicatorBook, _ record: StoredTask
    ) -> DayFileProcessor {
        let planner = FlatFilePlanner(source: source, store: store, calendar: calendar)
        let range = DayRange(request.range.first, min(request.range.last, request.today.adding(days: -1)))
        return DayFileProcessor(
            path: path, key: job.object.key, dataset: job.dataset, date: job.date,
            wanted: request.allTickers ? nil : Set(request.tickers),
            markRange: range.map { planner.markRange(for: job.date, within: $0) } ?? DayRange(job.date, job.date)!,
            markAbsent: configuration.markAbsentTickers, task: record,
            decoder: FlatFileDecoder(configuration: configuration.decoder),
            calendar: calendar, book: book)
    }

    /// Hands progress to the caller and to the bus (`backfill.progress`, as REST runs do).
    private func emit(_ progress: BackfillProgress, _ onProgress: @Sendable (BackfillProgress) -> Void) async {
        onProgress(progress)
        await progress.publish(on: bus)
    }

    /// A stored day as a backfilled chunk per ticker, once its transaction committed and changed
    /// rows (a re-run that changed nothing announces nothing). Changes are counted per file, not
    /// per ticker, so each notice carries the bars received and no `changed`.
    private func announce(_ job: FlatFilePlanner.Job, _ outcome: DayFileProcessor.Outcome) async {
        guard let bus, outcome.write.changed > 0 else { return }
        let timeframe = job.dataset.timeframe.description
        let day = job.date.description
        let encoder = JSONEncoder()
        for (symbol, received) in outcome.stored.sorted(by: { $0.key < $1.key }) {
            await StoredChunkNotice(
                symbol: symbol, timeframe: timeframe, from: day, to: day, received: received, changed: nil
            ).publish(on: bus, encoder: encoder)
        }
    }

    private func account(_ job: FlatFilePlanner.Job, _ outcome: DayFileProcessor.Outcome, into run: inout RunState) {
        let label = job.dataset.timeframe.description
        run.progress.itemsDone += 1
        run.progress.barsReceived += outcome.write.received
        run.progress.barsChanged += outcome.write.changed
        run.progress.bytes += job.object.size
        run.progress.quarantined += outcome.quarantined.count
        run.progress.storeWriteLatency.record(seconds: outcome.writeSeconds)
        run.received[label, default: 0] += outcome.write.received
        run.changed[label, default: 0] += outcome.write.changed
        run.quarantinedCount += outcome.quarantined.count
        run.quarantined += outcome.quarantined.prefix(Self.reportedQuarantine - run.quarantined.count)
        run.present.formUnion(outcome.present)
        logger.debug(
            "day file stored",
            metadata: [MetadataKey.task: "\(job.object.key)", MetadataKey.rows: "\(outcome.write.received)"])
    }

    private func save(_ record: inout StoredTask, _ state: FileTask.State) async throws {
        record.state = state
        record.updatedAtMs = Self.nowMs()
        try await store.saveTask(record)
    }

    // MARK: - Downloads

    /// Runs `body` for each job in order while up to `concurrency` files download ahead.
    private func withPrefetch(
        _ jobs: [FlatFilePlanner.Job], stop: StopRequest, _ body: (Int, Result<String, any Error>) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: (Int, Result<String, any Error>).self) { group in
            var launched = 0
            var ready: [Int: Result<String, any Error>] = [:]
            func launch(upTo limit: Int) {
                while launched < min(limit, jobs.count) {
                    let index = launched
                    group.addTask { (index, await Result(catchingAsync: { try await fetch(jobs[index]) })) }
                    launched += 1
                }
            }
            launch(upTo: configuration.concurrency)
            var next = 0
            while next < jobs.count {
                if Task.isCancelled || stop.isRequested { break }
                if let result = ready.removeValue(forKey: next) {
                    try await body(next, result)
                    next += 1
                    launch(upTo: next + configuration.concurrency)
                    continue
                }
                guard let (index, result) = try await group.next() else { break }
                ready[index] = result
            }
            group.cancelAll()
        }
    }

    private func fetch(_ job: FlatFilePlanner.Job) async throws -> String {
        try await source.localFile(for: job.object, cacheDirectory: configuration.cacheDirectory)
    }

    /// Deletes a file this run downloaded (never a file of `--flatfiles-dir`).
    private func removeDownload(_ path: String) {
        guard path.hasPrefix(configuration.cacheDirectory + "/") else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Symbols that got bars older than their indicator state: recomputed from their stored bars.
    private func recomputeOlderHistory(_ books: [DayFileDataset: IndicatorBook]) async throws {
        guard !Task.isCancelled else { return }
        for (dataset, book) in books {
            let enricher = Enricher(store: store, configuration: configuration.indicators)
            for (symbol, earliest) in book.symbolsWithOlderHistory.sorted(by: { $0.key < $1.key }) {
                try await enricher.enrich(symbol: symbol, timeframe: dataset.timeframe, earliestWrittenMs: earliest)
            }
        }
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000) }
}

extension Result where Failure == any Error {
    /// Captures the outcome of an async throwing call.
    init(catchingAsync body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
