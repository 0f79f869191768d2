import BackfillCore
import Foundation
import Storage
import Testing

/// Tasks, quarantine and day files on both stores: one transaction per day file.
extension StoreBehaviourTests {
    /// A day file's pieces handed over in order, then (optionally) a failure instead of the finish.
    ///
    /// `@unchecked Sendable`: `pieces` is read and written only while `lock` is held.
    final class PieceFeed: DayFileFeed, @unchecked Sendable {
        struct Truncated: Error {}
        private let lock = NSLock()
        private var pieces: [DayFilePiece]

        init(_ pieces: [DayFilePiece]) {
            self.pieces = pieces
        }

        func next() throws -> DayFilePiece {
            lock.lock()
            defer { lock.unlock() }
            guard !pieces.isEmpty else { throw Truncated() }
            return pieces.removeFirst()
        }
    }

    static let fileDay = TestSupport.date("2025-01-03")
    static let fileKey = "us_stocks_sip/minute_aggs_v1/2025/01/2025-01-03.csv.gz"

    /// A whole-market minute file: `count` tickers of 390 minutes, their indicator states, two
    /// quarantined rows and the finished task.
    static func dayFile(tickers count: Int, price: Double = 0, finish: Bool = true) -> [DayFilePiece] {
        let batches = (0..<count).map { index in
            BarBatch(
                symbol: "T\(index)", timeframe: .minute,
                bars: LedgerTests.minutes(390, on: fileDay).map {
                    var bar = $0
                    bar.close += price
                    return bar
                })
        }
        let states = batches.map {
            IndicatorStateUpdate(
                symbol: $0.symbol, timeframe: .minute, lastMs: $0.bars.last!.windowStartMs, state: [1, 2, UInt8(count)])
        }
        let task = StoredTask(
            kind: "flat-file", key: fileKey, state: .done, attempts: 1, rows: count * 390, quarantined: 2, bytes: 4_096,
            updatedAtMs: 7)
        let completion = DayFileCompletion(
            marks: [
                CoverageMark(
                    symbol: BarStoreSymbols.allTickers, timeframe: .minute, range: DayRange(fileDay, fileDay)!,
                    source: .flatFile)
            ],
            quarantined: [
                QuarantineRecord(source: fileKey, line: 3, reason: "column 2 is not a number", raw: "T0,oops"),
                QuarantineRecord(source: fileKey, line: 9, reason: "highBelowOpenOrClose", raw: "T1,1,2"),
            ],
            task: task)
        let half = count / 2
        var pieces: [DayFilePiece] = [
            .bars(Array(batches[..<half])), .indicatorStates(Array(states[..<half])), .bars(Array(batches[half...])),
            .indicatorStates(Array(states[half...])),
        ]
        if finish { pieces.append(.finish(completion)) }
        return pieces
    }

    @Test(arguments: Backend.allCases)
    func aDayFileCommitsWholeWithItsStatesCoverageQuarantineAndTask(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, _) async throws in
            let failed = StoredTask(
                kind: "flat-file", key: Self.fileKey, state: .processing, attempts: 1, updatedAtMs: 5)
            try await store.saveTask(failed)
            // The feed fails before the finish (a truncated file): nothing of the file is kept.
            await #expect(throws: PieceFeed.Truncated.self) {
                try await store.writeDayFile(PieceFeed(Self.dayFile(tickers: 40, finish: false)))
            }
            #expect(try await store.inventory().isEmpty)
            #expect(try await store.indicatorStates(timeframe: .minute).isEmpty)
            #expect(try await store.tasks(kind: "flat-file") == [Self.fileKey: failed])
            #expect(try await store.quarantinedRows(limit: 10).total == 0)

            let outcome = try await store.writeDayFile(PieceFeed(Self.dayFile(tickers: 40)))
            #expect(outcome == WriteOutcome(received: 15_600, changed: 15_600))
            #expect(try await store.inventory().map(\.bars) == Array(repeating: 390, count: 40))
            let states = try await store.indicatorStates(timeframe: .minute)
            #expect(states.count == 40 && states["T7"]?.state == [1, 2, 40])
            #expect(try await store.indicatorStates(timeframe: .day).isEmpty)
            #expect(
                try await store.coverage(symbol: "*", timeframe: .minute) == [DayRange(Self.fileDay, Self.fileDay)!])
            let ledger = try await store.ledger(
                symbol: "T3", range: DayRange(Self.fileDay, Self.fileDay)!, listing: nil)
            #expect(ledger.map(\.status) == [.complete] && ledger.first?.source == .flatFile)
            #expect(ledger.first?.received == 390)
            let task = try #require(try await store.tasks(kind: "flat-file")[Self.fileKey])
            #expect(task.state == .done && task.rows == 15_600 && task.quarantined == 2 && task.bytes == 4_096)
            let quarantine = try await store.quarantinedRows(limit: 1)
            #expect(quarantine.total == 2 && quarantine.rows.map(\.line) == [9])

            // The same file again changes nothing; a corrected one changes every row.
            #expect(try await store.writeDayFile(PieceFeed(Self.dayFile(tickers: 40))).changed == 0)
            #expect(try await store.quarantinedRows(limit: 10).rows.map(\.line) == [3, 9])
            #expect(try await store.writeDayFile(PieceFeed(Self.dayFile(tickers: 40, price: 0.5))).changed == 15_600)
            let bars = try await store.bars(symbol: "T39", timeframe: .minute, fromMs: 0, toMs: .max, limit: 1_000)
            #expect(
                bars
                    == LedgerTests.minutes(390, on: Self.fileDay).map {
                        var b = $0; b.close += 0.5; return b
                    })
        }
    }

    @Test(arguments: Backend.allCases)
    func tasksAreSummarizedByKindAndState(_ backend: Backend) async throws {
        try await Self.withStore(backend) { (store, _) async throws in
            #expect(try await store.taskSummary().isEmpty)
            let tasks = [
                StoredTask(
                    kind: "flat-file", key: "a", state: .done, attempts: 1, rows: 10, bytes: 100, updatedAtMs: 1),
                StoredTask(
                    kind: "flat-file", key: "b", state: .done, attempts: 2, rows: 5, quarantined: 1, updatedAtMs: 2),
                StoredTask(
                    kind: "flat-file", key: "c", state: .failed, attempts: 3, error: "truncated", updatedAtMs: 3),
                StoredTask(kind: "flat-file", key: "d", state: .failed, attempts: 3, error: "403", updatedAtMs: 4),
                StoredTask(kind: "rest-chunk", key: "AMD", state: .pending, updatedAtMs: 5, runID: 9),
            ]
            for task in tasks { try await store.saveTask(task) }
            var retried = tasks[2]
            retried.attempts = 4
            try await store.saveTask(retried)
            let stored = try await store.tasks(kind: "flat-file")
            #expect(stored.count == 4 && stored["c"] == retried && stored["a"] == tasks[0])
            #expect(try await store.tasks(kind: "rest-chunk") == ["AMD": tasks[4]])
            #expect(
                try await store.taskSummary() == [
                    TaskStateSummary(
                        kind: "flat-file", state: .done, count: 2, rows: 15, quarantined: 1, bytes: 100, errors: []),
                    TaskStateSummary(
                        kind: "flat-file", state: .failed, count: 2, rows: 0, quarantined: 0, bytes: 0,
                        errors: ["d: 403", "c: truncated"]),
                    TaskStateSummary(
                        kind: "rest-chunk", state: .pending, count: 1, rows: 0, quarantined: 0, bytes: 0, errors: []),
                ])
        }
    }
}
