import BackfillCore
import Foundation
import GRDB
import Ingestion
import Polygon
import PolygonSandbox
import Storage
import Testing

/// The flat-file pipeline against the sandbox's S3 (or a folder), into a real SQLite file.
@Suite("flat-file pipeline")
struct FlatFilePipelineTests {
    typealias Support = FlatFileTestSupport

    @Test func dayFilesGiveTheSameBarsAsRESTAndARerunDoesNothing() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let server = Support.sandbox()
        try await server.withRunning { baseURL in
            let tickers = Array(Support.fileTickers(server, on: TestSupport.date("2024-03-11")).prefix(3))
            let store = try SQLiteBarStore(path: folder.appendingPathComponent("flat.sqlite").path)
            let runner = Support.runner(
                source: S3TestSupport.client(endpoint: baseURL), store: store, folder: folder)
            let request = Support.request(tickers, "2024-03-09", "2024-03-15", timeframes: [.day, .minute])
            let report = try await runner.run(request)
            #expect(report.status == .completed && report.failures.isEmpty)
            #expect(report.progress.itemsDone == 10, "5 sessions × (day, minute) files")
            let client = TestSupport.client(baseURL: baseURL)
            for ticker in tickers {
                for timeframe in [Timeframe.day, .minute] {
                    let (rest, _) = try await client.aggregates(
                        ticker: ticker, timeframe: timeframe, range: request.range)
                    let stored = try await store.bars(
                        symbol: ticker, timeframe: timeframe, fromMs: 0, toMs: .max, limit: 1_000_000)
                    #expect(!rest.isEmpty && stored == Support.withoutVWAP(rest), "\(ticker) \(timeframe)")
                    // The weekend before the first file and after the last one hold no session: covered too.
                    #expect(try await store.coverage(symbol: ticker, timeframe: timeframe) == [request.range])
                }
            }
            let tasks = try await store.tasks(kind: DayFileDataset.taskKind)
            #expect(tasks.count == 10 && tasks.values.allSatisfy { $0.state == .done && $0.rows > 0 })
            try await expectIndicatorStatesMatchARecompute(store, tickers)
            let sources = try await DatabaseQueue(path: store.path).read {
                try String.fetchAll($0, sql: "SELECT DISTINCT source FROM ledger")
            }
            #expect(sources == [BarSource.flatFile.rawValue], "the ledger says where the sessions came from")

            let before = try TestSupport.contents(ofDatabase: store.path)
            let again = try await runner.run(request)
            #expect(again.status == .completed && again.plan.jobs.isEmpty && again.plan.alreadyDone == 10)
            #expect(again.progress.barsReceived == 0)
            #expect(try TestSupport.contents(ofDatabase: store.path) == before)
        }
    }

    /// The states saved during ingestion equal those of the engine run from scratch over the stored bars.
    private func expectIndicatorStatesMatchARecompute(_ store: SQLiteBarStore, _ tickers: [String]) async throws {
        let saved = try await store.indicatorStates(timeframe: .minute)
        let enricher = Enricher(store: store)
        for ticker in tickers {
            let during = try #require(saved[ticker])
            try await enricher.enrich(symbol: ticker, timeframe: .minute, earliestWrittenMs: .min)
            let recomputed = try #require(try await store.indicatorState(symbol: ticker, timeframe: .minute))
            let a = try IndicatorEngine(savedState: during.state)
            let b = try IndicatorEngine(savedState: recomputed.state)
            #expect(during.lastMs == recomputed.lastMs && a == b, "\(ticker)")
        }
    }

    @Test func serverErrorsAndResetsStillStoreEveryRowOnce() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let faults = FaultInjector(rules: [
            .init(
                pathPrefix: "/flatfiles/us_stocks_sip", fault: .status(503, retryAfterSeconds: nil), probability: 0.2),
            .init(pathPrefix: "/flatfiles/us_stocks_sip", fault: .resetMidBody, probability: 0.2),
        ])
        let clean = folder.appendingPathComponent("clean.sqlite").path
        let faulty = folder.appendingPathComponent("faulty.sqlite").path
        let request = Support.request(nil, "2024-03-11", "2024-03-13")
        try await Support.sandbox().withRunning { baseURL in
            let store = try SQLiteBarStore(path: clean)
            let report = try await Support.runner(
                source: S3TestSupport.client(endpoint: baseURL), store: store, folder: folder
            ).run(request)
            #expect(report.status == .completed)
        }
        try await Support.sandbox(faults: faults).withRunning { baseURL in
            let store = try SQLiteBarStore(path: faulty)
            let report = try await Support.runner(
                source: S3TestSupport.client(endpoint: baseURL, attempts: 6), store: store, folder: folder
            ).run(request)
            #expect(report.status == .completed && report.progress.itemsDone == 3, "\(report.failures)")
        }
        #expect(!faults.injectedCounts.isEmpty, "faults were injected: \(faults.injectedCounts)")
        let expected = try TestSupport.contents(ofDatabase: clean)
        #expect(expected.count > 1_000)
        #expect(try TestSupport.contents(ofDatabase: faulty) == expected)
    }

    @Test func malformedRowsAreQuarantinedWithFileLineAndReason() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let root = folder.appendingPathComponent("files")
        let faults = FaultInjector()
        let broken = Support.minuteKey("2024-03-12")
        try await Support.sandbox(faults: faults).withRunning { baseURL in
            for day in ["2024-03-11", "2024-03-13"] {
                try await Support.copy(Support.minuteKey(day), from: baseURL, into: root)
            }
            faults.script(.malformedRows(every: 7), pathPrefix: "/flatfiles/" + broken)
            try await Support.copy(broken, from: baseURL, into: root)
            // The same days, clean, to compare with.
            let cleanRoot = folder.appendingPathComponent("clean-files")
            for day in ["2024-03-11", "2024-03-12", "2024-03-13"] {
                try await Support.copy(Support.minuteKey(day), from: baseURL, into: cleanRoot)
            }
            let cleanStore = try SQLiteBarStore(path: folder.appendingPathComponent("clean.sqlite").path)
            _ = try await Support.runner(
                source: LocalFlatFileSource(root: cleanRoot.path), store: cleanStore, folder: folder
            )
            .run(Support.request(nil, "2024-03-11", "2024-03-13"))
        }
        let store = try SQLiteBarStore(path: folder.appendingPathComponent("flat.sqlite").path)
        let report = try await Support.runner(
            source: LocalFlatFileSource(root: root.path), store: store, folder: folder
        )
        .run(Support.request(nil, "2024-03-11", "2024-03-13"))
        #expect(report.status == .completed)
        let (total, rows) = try await store.quarantinedRows(limit: 100_000)
        #expect(total > 10 && total == report.quarantinedCount && rows.count == total)
        for row in rows {
            #expect(row.source == broken && (row.line - 1) % 7 == 0 && row.reason.contains("not a number"), "\(row)")
            #expect(row.raw.contains("not-a-volume"))
        }
        let task = try #require(try await store.tasks(kind: DayFileDataset.taskKind)[broken])
        #expect(task.state == .done && task.quarantined == total)
        let bars = { (path: String) in try TestSupport.contents(ofDatabase: path).filter { $0.hasPrefix("bars_") } }
        let expected = Set(try bars(folder.appendingPathComponent("clean.sqlite").path))
        let stored = try bars(store.path)
        #expect(Set(stored).isSubset(of: expected) && stored.count == Set(stored).count)
        #expect(stored.count + total == expected.count, "every good row once, every bad row quarantined")
    }

    @Test func aTruncatedFileFailsItsTaskAndRetryFailedFixesIt() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let root = folder.appendingPathComponent("files")
        let days = ["2024-03-11", "2024-03-12", "2024-03-13"]
        let truncated = Support.minuteKey("2024-03-12")
        let cleanPath = folder.appendingPathComponent("clean.sqlite").path
        try await Support.sandbox().withRunning { baseURL in
            let cleanStore = try SQLiteBarStore(path: cleanPath)
            _ = try await Support.runner(
                source: S3TestSupport.client(endpoint: baseURL), store: cleanStore, folder: folder
            )
            .run(Support.request(nil, days[0], days[2]))
            for day in days { try await Support.copy(Support.minuteKey(day), from: baseURL, into: root) }
        }
        // The gzip stream of 03-12 cut in half, as an interrupted copy leaves it.
        let file = root.appendingPathComponent(truncated)
        let bytes = try Data(contentsOf: file)
        try bytes.prefix(bytes.count / 2).write(to: file)
        let store = try SQLiteBarStore(path: folder.appendingPathComponent("flat.sqlite").path)
        let runner = Support.runner(source: LocalFlatFileSource(root: root.path), store: store, folder: folder)
        let first = try await runner.run(Support.request(nil, days[0], days[2]))
        #expect(first.status == .failed && first.progress.itemsDone == 2 && first.failures.map(\.item) == [truncated])
        #expect(first.failures.first?.message.contains("truncated") == true)
        let task = try #require(try await store.tasks(kind: DayFileDataset.taskKind)[truncated])
        #expect(task.state == .failed && task.attempts == 3 && task.error?.contains("truncated") == true)
        #expect(try await store.coverage(symbol: BarStoreSymbols.allTickers, timeframe: .minute).count == 2)

        let skipped = try await runner.run(Support.request(nil, days[0], days[2]))
        #expect(skipped.plan.jobs.isEmpty && skipped.plan.skippedFailed.map(\.key) == [truncated])

        try await Support.sandbox().withRunning { baseURL in
            try await Support.copy(truncated, from: baseURL, into: root)
        }
        let retried = try await runner.run(Support.request(nil, days[0], days[2], retryFailed: true))
        #expect(retried.status == .completed && retried.plan.jobs.map(\.object.key) == [truncated])
        #expect(try TestSupport.contents(ofDatabase: store.path) == TestSupport.contents(ofDatabase: cleanPath))
        #expect(try await store.tasks(kind: DayFileDataset.taskKind)[truncated]?.state == .done)
    }

    @Test func aFileServedTruncatedOverS3FailsItsTaskUntilRetryFailed() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let key = Support.minuteKey("2024-03-12")
        let faults = FaultInjector(rules: [
            .init(pathPrefix: "/flatfiles/" + key, fault: .truncatedObject, probability: 1)
        ])
        try await Support.sandbox(faults: faults).withRunning { baseURL in
            let store = try SQLiteBarStore(path: folder.appendingPathComponent("s3.sqlite").path)
            let runner = Support.runner(source: S3TestSupport.client(endpoint: baseURL), store: store, folder: folder)
            let first = try await runner.run(Support.request(nil, "2024-03-11", "2024-03-13"))
            #expect(first.status == .failed && first.failures.map(\.item) == [key] && first.progress.itemsDone == 2)
            #expect(try await store.tasks(kind: DayFileDataset.taskKind)[key]?.state == .failed)
            faults.setRules([])
            let retried = try await runner.run(Support.request(nil, "2024-03-11", "2024-03-13", retryFailed: true))
            #expect(retried.status == .completed && retried.plan.jobs.map(\.object.key) == [key])
            #expect(
                try await store.coverage(symbol: BarStoreSymbols.allTickers, timeframe: .minute) == [
                    TestSupport.range("2024-03-11", "2024-03-13")
                ])
        }
    }

    @Test func hybridTakesUnpublishedDaysAndAbsentTickersFromREST() async throws {
        let folder = try TestSupport.temporaryDirectory()
        // "Now" is 2024-03-14 12:00 UTC: the file of 03-13 is published at 16:00, so not yet listed.
        let now = TestSupport.date("2024-03-14").utcMidnightMilliseconds + 12 * 3_600_000
        let server = Support.sandbox(nowMs: now)
        try await server.withRunning { baseURL in
            let inFiles = try #require(Support.fileTickers(server, on: TestSupport.date("2024-03-11")).first)
            let day = TestSupport.date("2024-03-11")
            let inTheFile = Set(FlatFileUniverse.tickers(on: day, count: 12, universe: server.market.universe))
            let absent = try #require(
                server.market.universe.listings(on: day).map(\.ticker).first {
                    !inTheFile.contains($0) && Symbol.problem(with: $0) == nil
                })
            let store = try SQLiteBarStore(path: folder.appendingPathComponent("hybrid.sqlite").path)
            let request = Support.request(
                [inFiles, absent], "2024-03-11", "2024-03-13", today: TestSupport.date("2024-03-14"))
            let files = try await Support.runner(
                source: S3TestSupport.client(endpoint: baseURL), store: store, folder: folder, markAbsent: false
            ).run(request)
            #expect(
                files.plan.jobs.count == 2 && files.plan.unlistedSessions[.minuteAggregates] == [request.range.last])
            #expect(files.absentTickers == [absent])
            #expect(try await store.coverage(symbol: absent, timeframe: .minute).isEmpty)
            let rest = try await BackfillRunner(
                client: TestSupport.client(baseURL: baseURL), store: store, logger: TestSupport.quietLogger
            ).run(request)
            #expect(rest.status == .completed)
            #expect(rest.progress.itemsDone == 2, "03-13 for the file ticker, the whole range for the absent one")
            let client = TestSupport.client(baseURL: baseURL)
            for ticker in [inFiles, absent] {
                let (expected, _) = try await client.aggregates(
                    ticker: ticker, timeframe: .minute, range: request.range)
                let stored = try await store.bars(
                    symbol: ticker, timeframe: .minute, fromMs: 0, toMs: .max, limit: 1_000_000)
                #expect(
                    Support.withoutVWAP(stored) == Support.withoutVWAP(expected) && !expected.isEmpty, "\(ticker)")
                #expect(try await store.coverage(symbol: ticker, timeframe: .minute) == [request.range])
            }
        }
    }
}
