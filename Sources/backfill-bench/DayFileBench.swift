import BackfillCore
import Foundation
import GRDB
import GRDBSQLite
import Ingestion
import Logging
import Polygon
import Storage

/// Issue 5's flat-file targets: one realistic day file end to end into a fresh SQLite file through
/// the real pipeline (decode, validate, indicators, upsert, task and coverage in one transaction),
/// beside SQLite's ceiling on the same rows (a bare C-API loop of prepared single-row upserts on our
/// schema) and the Python peers (`../shared/peers/bench.py sqlite`), all in one sitting.
enum DayFileBench {
    static func run(file: String) async throws {
        guard let (root, key) = split(file) else {
            throw BenchError("\(file) is not under a us_stocks_sip/minute_aggs_v1/YYYY/MM/ folder")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dayfile-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var ours: [Double] = []
        var rows = 0
        for run in 0..<3 {
            let (count, seconds) = try await pipeline(
                root: root, key: key, database: folder.appendingPathComponent("e2e-\(run).sqlite").path,
                cache: folder.path)
            rows = count
            ours.append(seconds)
            print(
                "pipeline run \(run + 1): \(count) rows in \(format(seconds)) s = \(Int(Double(count) / seconds)) rows/s"
            )
        }
        let bare = try bareLoop(file: file, folder: folder)
        try await profile(file: file, folder: folder)
        let pipelineRate = Double(rows) / median(ours)
        let bareRate = Double(bare.rows) / bare.seconds
        print("| case | rows | s | rows/s |")
        print("|---|---|---|---|")
        print(
            "| FlatFileRunner end to end (decode, validate, indicators, upsert, task) | \(rows) | \(format(median(ours))) | \(Int(pipelineRate)) |"
        )
        print(
            "| bare C-API loop, prepared single-row upserts, our schema, 1 txn (rows pre-decoded) | \(bare.rows) | \(format(bare.seconds)) | \(Int(bareRate)) |"
        )
        let peers = python(file: file)
        for (name, rate) in peers { print("| \(name) | | | \(Int(rate)) |") }
        print("ratio vs bare C-API loop: \(format(pipelineRate / bareRate)) (target >= 0.8)")
        if let e2e = peers.first(where: { $0.0.contains("end-to-end") })?.1 {
            print("ratio vs Python csv + executemany end to end: \(format(pipelineRate / e2e))x (target >= 4x)")
        }
        if let toSQL = peers.first(where: { $0.0.contains("to_sql") })?.1 {
            print("ratio vs pandas.to_sql: \(format(pipelineRate / toSQL))x (target >= 3x)")
        }
        print("peak RSS \(Int(BackfillBench.peakRSSMegabytes())) MB")
    }

    /// A day file's decoded rows as one minute batch per ticker: files are sorted by ticker, so
    /// consecutive rows of one ticker make one batch.
    static func batches(_ decoded: [FlatFileRow]) -> [BarBatch] {
        var batches: [BarBatch] = []
        for row in decoded {
            if batches.last?.symbol == row.ticker {
                batches[batches.count - 1].bars.append(row.bar)
            } else {
                batches.append(BarBatch(symbol: row.ticker, timeframe: .minute, bars: [row.bar]))
            }
        }
        return batches
    }

    /// `ROOT/us_stocks_sip/…/KEY` → (ROOT, `us_stocks_sip/…`).
    static func split(_ file: String) -> (String, String)? {
        guard let range = file.range(of: DayFileDataset.assetPrefix + "/") else { return nil }
        let root = String(file[..<range.lowerBound])
        return (root.isEmpty ? "." : root, String(file[range.lowerBound...]))
    }

    /// One whole-market run over the file's day into a fresh database; returns rows and seconds.
    static func pipeline(root: String, key: String, database: String, cache: String) async throws -> (Int, Double) {
        guard let (_, date) = DayFileDataset.parse(key: key) else { throw BenchError("\(key) names no day") }
        let store = try SQLiteBarStore(path: database)
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let runner = FlatFileRunner(
            source: LocalFlatFileSource(root: root), store: store, configuration: .init(cacheDirectory: cache),
            logger: logger)
        var request = BackfillRequest(
            tickers: [], range: DayRange(date, date)!, timeframes: [.minute], today: date.adding(days: 1))
        request.allTickers = true
        let started = ContinuousClock.now
        let report = try await runner.run(request)
        let seconds = SQLiteWriteBench.seconds(since: started)
        guard report.status == .completed else { throw BenchError("the pipeline failed: \(report.failures)") }
        return (report.progress.barsReceived, seconds)
    }

    /// SQLite's ceiling: the file's rows decoded into memory first, then one prepared single-row
    /// upsert per row through the C API, one transaction, the same schema and pragmas as our store.
    static func bareLoop(file: String, folder: URL) throws -> (rows: Int, seconds: Double) {
        let (decoded, _) = try FlatFileDecoder().decodeAggregates(file: file)
        let batches = Self.batches(decoded)
        let seconds = try SQLiteWriteBench.bareLoop(
            path: folder.appendingPathComponent("bare.sqlite").path, batches: batches,
            cacheKiB: SQLiteBarStore.dayFileCacheKiB)
        return (decoded.count, seconds)
    }

    /// Where the time goes: each stage alone on the same file (decode; validate + indicators over
    /// decoded rows; our store's upsert of the decoded rows in one transaction).
    static func profile(file: String, folder: URL) async throws {
        var started = ContinuousClock.now
        let (decoded, _) = try FlatFileDecoder().decodeAggregates(file: file)
        let decode = SQLiteWriteBench.seconds(since: started)
        let batches = Self.batches(decoded)
        let calendar = TradingCalendar()
        started = ContinuousClock.now
        var accepted = 0
        var stateBytes = 0
        for batch in batches {
            var validator = BarValidator(calendar: calendar)
            var engine = try IndicatorEngine()
            for bar in batch.bars {
                if case .accepted = validator.validate(bar) {
                    accepted += 1
                    _ = engine.update(bar)
                }
            }
            stateBytes += try engine.savedState().count
        }
        let enrich = SQLiteWriteBench.seconds(since: started)
        let store = try SQLiteBarStore(path: folder.appendingPathComponent("profile.sqlite").path)
        started = ContinuousClock.now
        _ = try await store.write(batches, source: .flatFile)
        let write = SQLiteWriteBench.seconds(since: started)
        print("profile (each stage alone, one core each):")
        print("  decode (inflate + parse threads): \(format(decode)) s = \(Int(Double(decoded.count) / decode)) rows/s")
        print(
            "  validate + indicators + saved state of \(batches.count) symbols (\(stateBytes / 1_000_000) MB): "
                + "\(format(enrich)) s = \(Int(Double(accepted) / enrich)) rows/s")
        print(
            "  SQLiteBarStore.write of the decoded rows, 1 txn: \(format(write)) s = \(Int(Double(decoded.count) / write)) rows/s"
        )
    }

    /// `bench.py sqlite FILE`: (case name, rows/s) per line of its table; empty when Python is missing.
    static func python(file: String) -> [(String, Double)] {
        let python =
            ProcessInfo.processInfo.environment["PEERS_PYTHON"] ?? NSHomeDirectory() + "/.cache/peers-venv/bin/python"
        let script =
            ProcessInfo.processInfo.environment["PEERS_BENCH"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/peers/bench.py")
            .path
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: script)
        else {
            print("(Python peers skipped: no \(python) or \(script))")
            return []
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "sqlite", file]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return [] }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return output.split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4, let rate = Double(cells[3].replacingOccurrences(of: ",", with: "")) else {
                return nil
            }
            return ("Python: " + cells[0], rate)
        }
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    static func format(_ value: Double) -> String { String(format: "%.3f", value) }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
