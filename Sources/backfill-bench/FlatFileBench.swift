import BackfillCore
import Foundation
import Polygon

/// Release-build measurement for issue 4's flat-file target: decompress + parse one realistic
/// minute-aggregates day file to typed rows at ≥ 2.5× `pandas.read_csv` and faster than
/// `zcat FILE > /dev/null` alone. Both peers are timed in the same run, on the same file.
enum FlatFileBench {
    /// - Parameter file: a `minute_aggs_v1` day file (`.csv.gz`).
    static func run(file: String, repetitions: Int = 5) {
        do {
            let ours = try decode(file: file, repetitions: repetitions, engine: .isal)
            let zlib = try decode(file: file, repetitions: repetitions, engine: .zlib)
            print("| case | rows | median s | rows/s | runs |")
            print("|---|---|---|---|---|")
            print(row("FlatFileDecoder: ISA-L inflate thread + parse thread", ours.rows, ours.seconds, repetitions))
            print(row("FlatFileDecoder: zlib inflate thread + parse thread", zlib.rows, zlib.seconds, repetitions))
            let zcat = peer(["/bin/sh", "-c", "zcat '\(file)' > /dev/null"], repetitions: 3)
            if let zcat { print(row("zcat FILE > /dev/null", ours.rows, zcat, 3)) }
            let pandas = pandasReadCSV(file: file)
            if let pandas { print(row("pandas.read_csv (C engine, ticker as str)", ours.rows, pandas, 3)) }
            print("checksum: volume sum \(ours.checksum), quarantined \(ours.quarantined)")
            if let pandas { print("ratio vs pandas.read_csv: \(format(pandas / ours.seconds))x (target >= 2.5x)") }
            if let zcat { print("ratio vs zcat: \(format(zcat / ours.seconds))x (target > 1x)") }
            if let pandas, let zcat {
                print("zlib engine: \(format(pandas / zlib.seconds))x pandas, \(format(zcat / zlib.seconds))x zcat")
            }
        } catch {
            print("flat-file bench failed: \(error)")
        }
    }

    private static func decode(file: String, repetitions: Int, engine: FlatFileDecoder.Engine) throws -> (
        rows: Int, seconds: Double, checksum: Double, quarantined: Int
    ) {
        let decoder = FlatFileDecoder(configuration: .init(engine: engine))
        var times: [Double] = []
        var rows = 0
        var checksum = 0.0
        var quarantined = 0
        for run in 0...repetitions {
            let clock = ContinuousClock()
            let start = clock.now
            var volume = 0.0
            let summary = try decoder.decodeAggregates(file: file) { batch in
                for row in batch { volume += row.bar.volume }
            }
            let elapsed = clock.now - start
            if run > 0 { times.append(seconds(elapsed)) }  // run 0 warms the page cache
            rows = summary.rows
            checksum = volume
            quarantined = summary.quarantinedCount
        }
        return (rows, median(times), checksum, quarantined)
    }

    /// Median wall time of a command, or nil when it cannot run or fails.
    private static func peer(_ arguments: [String], repetitions: Int) -> Double? {
        var times: [Double] = []
        for _ in 0..<repetitions {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: arguments[0])
            process.arguments = Array(arguments.dropFirst())
            let clock = ContinuousClock()
            let start = clock.now
            guard (try? process.run()) != nil else { return nil }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            times.append(seconds(clock.now - start))
        }
        return median(times)
    }

    /// pandas.read_csv timed inside Python (interpreter start excluded), median of 3.
    private static func pandasReadCSV(file: String) -> Double? {
        let python =
            ProcessInfo.processInfo.environment["PEERS_PYTHON"]
            ?? NSHomeDirectory() + "/.cache/peers-venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else { return nil }
        let script = """
            import sys, time, statistics, pandas as pd
            t = []
            for _ in range(3):
                s = time.perf_counter(); pd.read_csv(sys.argv[1], dtype={"ticker": str}, keep_default_na=False)
                t.append(time.perf_counter() - s)
            print(statistics.median(t))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, file]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Double(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func row(_ name: String, _ rows: Int, _ seconds: Double, _ runs: Int) -> String {
        "| \(name) | \(rows) | \(format(seconds)) | \(Int(Double(rows) / seconds)) | \(runs) |"
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func format(_ value: Double) -> String {
        String(format: "%.3f", value)
    }
}
