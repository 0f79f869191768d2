import BackfillCore
import Foundation
import Logging
import Polygon
import Storage
import Synchronization

/// One of several workers (processes, on one machine or many) sharing a backfill through a
/// ``WorkQueue``. Every worker plans the same request into the same chunks
/// (``BackfillPlanner/planShared(_:)``) and adds them to the queue (known ones keep their state),
/// then claims chunks (`concurrency` at once): fetch, store in one transaction, complete — while a second
/// task renews the claim's lease. A worker that dies leaves its chunk to whoever claims it after the
/// lease runs out; a chunk run twice (a worker too slow to renew) is harmless, since every write is
/// an idempotent upsert, and only the holder completes it. A worker finishes when no chunk is
/// pending or running, whoever's it was.
public struct BackfillWorker: Sendable {
    public struct Configuration: Sendable {
        /// How long a claim holds a chunk without renewal; renewed every third of it.
        public var lease: Duration
        /// Claims of one chunk (over all workers) before it is failed for good.
        public var maximumAttempts: Int
        /// How often a worker with nothing to claim looks again while other workers' chunks run.
        public var pollInterval: Duration

        public init(lease: Duration = .seconds(60), maximumAttempts: Int = 3, pollInterval: Duration = .seconds(1)) {
            self.lease = lease
            self.maximumAttempts = max(1, maximumAttempts)
            self.pollInterval = pollInterval
        }
    }

    public let runner: BackfillRunner
    public let queue: any WorkQueue
    public let configuration: Configuration

    public init(runner: BackfillRunner, queue: any WorkQueue, configuration: Configuration = .init()) {
        self.runner = runner
        self.queue = queue
        self.configuration = configuration
    }

    /// Plans and enqueues `request`, then works the queue until it is drained or the task is cancelled.
    /// - Parameters:
    ///   - onClaim: called with each claim before its work starts, and how many chunks this worker
    ///     completed so far (the crash tests' hook).
    ///   - onProgress: called after every chunk; item counts are every worker's.
    /// - Throws: the queue's errors (the database unreachable past its retry deadline).
    public func run(
        _ request: BackfillRequest, onClaim: @escaping @Sendable (WorkClaim, Int) -> Void = { _, _ in },
        onProgress: @escaping @Sendable (BackfillProgress) -> Void = { _ in }
    ) async throws -> BackfillReport {
        let started = ContinuousClock.now
        let items = try await BackfillPlanner(store: runner.store).planShared(request)
        let keys = items.map(\.taskKey)
        try await queue.enqueue(kind: WorkItem.taskKind, keys: keys)
        // Today's bars may still change: a chunk reaching today is fetched again by a new run.
        let open = items.filter { $0.completes?.last != $0.range.last }.map(\.taskKey)
        if !open.isEmpty { try await queue.reopen(kind: WorkItem.taskKind, keys: open, states: [.done]) }
        if request.retryFailed { try await queue.reopen(kind: WorkItem.taskKind, keys: keys, states: [.failed]) }
        let tally = Tally(items: items)
        let progress: @Sendable (Int, WorkCounts) -> BackfillProgress = { done, counts in
            var progress = tally.progress(
                client: runner.client.statistics, elapsed: ContinuousClock.now - started)
            progress.rateBudget = runner.client.rateBudget
            progress.itemsTotal = counts.total
            progress.itemsDone = counts.done
            progress.itemsFailed = counts.failed
            progress.phases = []
            progress.workerID = queue.worker
            progress.workerTasksDone = done
            return progress
        }
        let counts = SharedCounts(queue: queue)
        // `concurrency` claims at once, each loop one chunk at a time.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<request.concurrency {
                group.addTask {
                    try await work(request, tally: tally, onClaim: onClaim) { item in
                        var snapshot = progress(tally.doneCount, try await counts.current(keys))
                        snapshot.lastItem = item
                        await runner.emit(snapshot, onProgress)
                    }
                }
            }
            try await group.waitForAll()
        }
        if request.enrich && !request.allTickers && !Task.isCancelled { try await enrich(request, tally: tally) }
        let interrupted = Task.isCancelled
        let failed =
            try await queue.failures(kind: WorkItem.taskKind, keys: keys)
            + queue.failures(kind: Self.enrichKind, keys: Self.enrichKeys(request))
        let failures = failed.map { BackfillFailure(item: $0.key, message: $0.error) }
        let final = progress(tally.doneCount, try await counts.current(keys, fresh: true))
        let covered = Set(request.tickers.flatMap { symbol in request.timeframes.map { "\($0) \(symbol)" } })
            .subtracting(items.map { "\($0.timeframe) \($0.symbol)" }).count
        return BackfillReport(
            status: interrupted ? .interrupted : (failures.isEmpty ? .completed : .failed), tickers: request.tickers,
            progress: final, barsByTimeframe: tally.receivedByTimeframe, changedByTimeframe: tally.changedByTimeframe,
            failures: failures, alreadyCovered: request.allTickers ? (items.isEmpty ? 1 : 0) : covered)
    }

    /// Claims and runs chunks one at a time until none is pending or running.
    private func work(
        _ request: BackfillRequest, tally: Tally, onClaim: @Sendable (WorkClaim, Int) -> Void,
        onFinished: @Sendable (String) async throws -> Void
    ) async throws {
        while !Task.isCancelled {
            guard let claim = try await queue.claim(kind: WorkItem.taskKind, lease: configuration.lease) else {
                // Chunks still running may belong to a worker that died: their leases will run out.
                if try await queue.counts(kind: WorkItem.taskKind, keys: nil).unfinished == 0 { return }
                try? await Task.sleep(for: configuration.pollInterval)
                continue
            }
            onClaim(claim, tally.doneCount)
            guard let item = WorkItem(taskKey: claim.key, today: request.today) else {
                _ = try await queue.fail(claim, error: "not a chunk: '\(claim.key)'", maximumAttempts: 1)
                continue
            }
            switch await holding(claim, { await runner.attempt(item) }) ?? .cancelled {
            case .stored(let outcome, let writeSeconds):
                tally.recordStoreWrite(seconds: writeSeconds)
                if try await queue.complete(claim) {
                    tally.succeeded(item, outcome)
                } else {
                    runner.logger.info(
                        "chunk taken over by another worker after this one's lease ran out",
                        metadata: [MetadataKey.task: "\(item)"])
                }
                await runner.publishStored(item, outcome)
            case .failed(let message, _):
                _ = try await queue.fail(claim, error: message, maximumAttempts: configuration.maximumAttempts)
                if claim.attempts >= configuration.maximumAttempts { tally.failed(item, message: message) }
            case .cancelled:
                // The claim stays until its lease runs out; another worker then takes the chunk.
                return
            }
            try await onFinished(item.description)
        }
    }

    /// The task kind of bringing one symbol's indicator state up to date after a shared backfill.
    public static let enrichKind = "enrich"

    /// One per symbol and timeframe of the request: `1m AMD 2024-01-02 2024-04-30`.
    static func enrichKeys(_ request: BackfillRequest) -> [String] {
        request.allTickers || !request.enrich
            ? []
            : request.timeframes.flatMap { timeframe in
                request.tickers.map { "\(timeframe) \($0) \(request.range.first) \(request.range.last)" }
            }
    }

    /// Indicator states once every chunk is stored, each symbol and timeframe by one worker: a
    /// shared task, reopened by a worker that stored new bars for it (a re-run that stored
    /// nothing new leaves the states alone). A state saved past the request's first day is
    /// recomputed from the symbol's first bar, since any worker may have stored bars from that day on.
    private func enrich(_ request: BackfillRequest, tally: Tally) async throws {
        let keys = Self.enrichKeys(request)
        try await queue.enqueue(kind: Self.enrichKind, keys: keys)
        let changed = keys.filter { key in
            WorkItem(taskKey: key, today: request.today).map {
                tally.earliestWritten(symbol: $0.symbol, timeframe: $0.timeframe) != nil
            } ?? false
        }
        if !changed.isEmpty { try await queue.reopen(kind: Self.enrichKind, keys: changed, states: [.done]) }
        let enricher = Enricher(store: runner.store)
        while !Task.isCancelled {
            guard let claim = try await queue.claim(kind: Self.enrichKind, lease: configuration.lease) else {
                if try await queue.counts(kind: Self.enrichKind, keys: nil).unfinished == 0 { return }
                try? await Task.sleep(for: configuration.pollInterval)
                continue
            }
            guard let item = WorkItem(taskKey: claim.key, today: request.today) else {
                _ = try await queue.fail(claim, error: "not an indicator task: '\(claim.key)'", maximumAttempts: 1)
                continue
            }
            let since = EasternTime.utcMilliseconds(on: item.range.first, minutesAfterMidnight: 0)
            let outcome = await holding(claim) { () async -> String? in
                do {
                    _ = try await enricher.enrich(
                        symbol: item.symbol, timeframe: item.timeframe, earliestWrittenMs: since)
                    return nil
                } catch {
                    return "\(error)"
                }
            }
            switch outcome {
            case .some(nil): _ = try await queue.complete(claim)
            case .some(let error?):
                _ = try await queue.fail(claim, error: error, maximumAttempts: configuration.maximumAttempts)
            case nil: return
            }
        }
    }

    /// Runs `work` while renewing the claim's lease every third of it; nil when cancelled.
    private func holding<T: Sendable>(_ claim: WorkClaim, _ work: @escaping @Sendable () async -> T) async -> T? {
        let lease = configuration.lease
        return await withTaskGroup(of: T?.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: lease / 3)
                    if Task.isCancelled { break }
                    do {
                        if try await !queue.renew(claim, lease: lease) {
                            runner.logger.info(
                                "lost the lease of a chunk to another worker",
                                metadata: [MetadataKey.task: "\(claim.key)"])
                            break
                        }
                    } catch {
                        runner.logger.info(
                            "cannot renew a lease",
                            metadata: [MetadataKey.task: "\(claim.key)", MetadataKey.reason: "\(error)"])
                    }
                }
                return nil
            }
            group.addTask { await work() }
            defer { group.cancelAll() }
            for await result in group {
                if let result { return result }
            }
            return nil
        }
    }
}

/// Every worker's chunk counts for progress lines, asked of the queue at most every 2 s (a request's
/// keys travel with each question; a large request is counted over every chunk of the queue).
private final class SharedCounts: Sendable {
    private let queue: any WorkQueue
    private let last = Mutex<(at: ContinuousClock.Instant, counts: WorkCounts)?>(nil)

    init(queue: any WorkQueue) {
        self.queue = queue
    }

    func current(_ keys: [String], fresh: Bool = false) async throws -> WorkCounts {
        let now = ContinuousClock.now
        if !fresh, let cached = last.withLock({ $0 }), now - cached.at < .seconds(2) { return cached.counts }
        let counts = try await queue.counts(kind: WorkItem.taskKind, keys: keys.count <= 5_000 ? keys : nil)
        last.withLock { $0 = (now, counts) }
        return counts
    }
}
