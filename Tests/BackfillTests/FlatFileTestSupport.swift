import BackfillCore
import Foundation
import Ingestion
import Polygon
import PolygonSandbox
import Storage

/// A small flat-file world: the sandbox's S3 with 12 securities, a fresh SQLite file, a runner.
enum FlatFileTestSupport {
    /// The New York date of `TestSupport.nowMs` (2026-06-01 00:00Z).
    static let today = TestSupport.date("2026-05-31")

    static func sandbox(faults: FaultInjector = FaultInjector(), nowMs: Int64 = TestSupport.nowMs) -> SandboxServer {
        var configuration = SandboxConfiguration(faults: faults, nowMs: { nowMs }, logger: TestSupport.quietLogger)
        configuration.s3 = S3Settings(tickerCount: 12, firstDate: LocalDate(year: 2024, month: 1, day: 2)!)
        return SandboxServer(configuration: configuration)
    }

    /// A folder laid out like the bucket with one plain-CSV minute file of AMD on 2024-03-12: four
    /// rows, of which line 3 has a volume that is not a number and line 4 a high below its open and
    /// close. Returns the folder and the file's key.
    static func minuteFileWithTwoBadRows(in folder: URL) throws -> (root: URL, key: String) {
        let root = folder.appendingPathComponent("files")
        let key = String(minuteKey("2024-03-12").dropLast(3))  // plain .csv
        let file = root.appendingPathComponent(key)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let start = EasternTime.utcMilliseconds(on: TestSupport.date("2024-03-12"), minutesAfterMidnight: 570)
        let csv = """
            ticker,volume,open,close,high,low,window_start,transactions
            AMD,100,10,10.5,11,9.5,\(start * 1_000_000),5
            AMD,oops,10,10.5,11,9.5,\((start + 60_000) * 1_000_000),5
            AMD,100,10,10.5,9,9.5,\((start + 120_000) * 1_000_000),5
            AMD,100,10.5,10.25,10.75,10,\((start + 180_000) * 1_000_000),7

            """
        try csv.write(to: file, atomically: true, encoding: .utf8)
        return (root, key)
    }

    /// Tickers of the day file on `date` that are plain symbols, in file order.
    static func fileTickers(_ server: SandboxServer, on date: LocalDate) -> [String] {
        FlatFileUniverse.tickers(on: date, count: 12, universe: server.market.universe)
            .filter { Symbol.problem(with: $0) == nil }
    }

    static func runner(
        source: any FlatFileSource, store: SQLiteBarStore, folder: URL, markAbsent: Bool = true
    ) -> FlatFileRunner {
        FlatFileRunner(
            source: source, store: store,
            configuration: .init(
                cacheDirectory: folder.appendingPathComponent("cache").path, concurrency: 3,
                markAbsentTickers: markAbsent),
            logger: TestSupport.quietLogger)
    }

    static func request(
        _ tickers: [String]?, _ from: String, _ to: String, timeframes: [Timeframe] = [.minute],
        today: LocalDate = FlatFileTestSupport.today, retryFailed: Bool = false
    ) -> BackfillRequest {
        var request = BackfillRequest(
            tickers: tickers ?? [], range: TestSupport.range(from, to), timeframes: timeframes, today: today)
        request.allTickers = tickers == nil
        request.retryFailed = retryFailed
        return request
    }

    /// Bars without the VWAP, which flat files do not carry.
    static func withoutVWAP(_ bars: [Bar]) -> [Bar] {
        bars.map { bar in
            var copy = bar
            copy.vwap = nil
            return copy
        }
    }

    /// Downloads `key` from the sandbox as served (faults included, no listing check) into `root`.
    static func copy(_ key: String, from endpoint: String, into root: URL) async throws {
        let destination = root.appendingPathComponent(key)
        try FileManager.default.createDirectory(
            at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = try await S3TestSupport.client(endpoint: endpoint, attempts: 1).download(key: key, to: destination.path)
    }

    static func minuteKey(_ date: String) -> String { DayFileDataset.minuteAggregates.key(TestSupport.date(date)) }
}
