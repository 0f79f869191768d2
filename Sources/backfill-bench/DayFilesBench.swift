import BackfillCore
import Foundation
import Ingestion
import Logging
import Polygon
import Storage
import Synchronization

/// Issue 5's flat-file run at scale: every minute day file under `DIR` (20 realistic days of 10,000
/// tickers) for all tickers into one fresh SQLite file, through the real pipeline; prints rows/s per
/// day (it should stay flat from the first day to the last) and the peak RSS (target under 1 GB).
enum DayFilesBench {
    static func run(directory: String) async throws {
        let source = LocalFlatFileSource(root: directory)
        let objects = try await source.list(
            prefix: DayFileDataset.assetPrefix + "/" + DayFileDataset.minuteAggregates.rawValue + "/")
        let dates = objects.compactMap { DayFileDataset.parse(key: $0.key)?.date }.sorted()
        guard let first = dates.first, let last = dates.last else {
            throw BenchError("no minute day files under \(directory)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dayfiles-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let store = try SQLiteBarStore(path: folder.appendingPathComponent("days.sqlite").path)
        let runner = FlatFileRunner(
            source: source, store: store, configuration: .init(cacheDirectory: folder.path), logger: logger)
        var request = BackfillRequest(
            tickers: [], range: DayRange(first, last)!, timeframes: [.minute], today: last.adding(days: 1))
        request.allTickers = true
        let previous = Mutex((bars: 0, seconds: 0.0))
        print("| day | rows | s | rows/s | peak RSS MB |")
        print("|---|---|---|---|---|")
        let report = try await runner.run(request) { progress in
            guard let item = progress.lastItem else { return }
            let (bars, seconds) = previous.withLock { last in
                defer { last = (progress.barsReceived, progress.elapsedSeconds) }
                return (progress.barsReceived - last.bars, progress.elapsedSeconds - last.seconds)
            }
            let day = DayFileDataset.parse(key: item)?.date.description ?? item
            print(
                "| \(day) | \(bars) | \(String(format: "%.2f", seconds)) | \(Int(Double(bars) / seconds)) | \(Int(BackfillBench.peakRSSMegabytes())) |"
            )
        }
        let p = report.progress
        print(
            "total: \(p.itemsDone) days, \(p.barsReceived) rows in \(String(format: "%.1f", p.elapsedSeconds)) s = "
                + "\(Int(p.barsPerSecond)) rows/s; failed \(p.itemsFailed); peak RSS \(Int(BackfillBench.peakRSSMegabytes())) MB"
        )
    }
}
