import BackfillCore
import Foundation

/// `backfill-bench [case …]`: release-build measurements. Each case prints its own figures; peers
/// (Python, zcat, psql) are run beside it by the commands in README.md so ratios come from one run.
@main
enum BackfillBench {
    static let cases: [String: @Sendable () async throws -> Void] = [
        "rest-sqlite": { try await RESTBackfillBench.run() },
        "calendar": { CalendarResampleBench.run() },
        "sqlite-write": { try await SQLiteWriteBench.run() },
        "rest-throughput": { try await RESTThroughputBench.run() },
        "indicators": { IndicatorBench.run() },
        "live": { try await LiveBench.run() },
        "redis": { try await RedisBench.run() },
        "gui-api": { try await GUIAPIBench.run() },
    ]

    /// Cases that take a path: `dayfile FILE.csv.gz` (one day end to end vs SQLite's bare loop and
    /// the Python peers) and `dayfiles DIR` (consecutive days for all tickers: per-day rate, peak RSS).
    static let fileCases: [String: @Sendable (String) async throws -> Void] = [
        "dayfile": { try await DayFileBench.run(file: $0) },
        "dayfiles": { try await DayFilesBench.run(directory: $0) },
        "pg-dayfile": { try await PostgresDayFileBench.run(file: $0) },
        "gui-api-db": { try await GUIAPIBench.writeDatabase(path: $0) },
    ]

    static func main() async {
        let requested = Array(CommandLine.arguments.dropFirst())
        if let name = requested.first, let run = fileCases[name] {
            guard requested.count == 2 else {
                FileHandle.standardError.write(Data("usage: backfill-bench \(name) PATH\n".utf8))
                exit(2)
            }
            print("== \(name)")
            do { try await run(requested[1]) } catch {
                FileHandle.standardError.write(Data("\(name) failed: \(error)\n".utf8))
                exit(1)
            }
            return
        }
        if requested.first == "flatfiles" {
            guard requested.count == 2 else {
                FileHandle.standardError.write(Data("usage: backfill-bench flatfiles DAY_FILE.csv.gz\n".utf8))
                exit(2)
            }
            print("== flatfiles")
            FlatFileBench.run(file: requested[1])
            return
        }
        let names = requested.isEmpty ? ["rest-sqlite"] : requested
        for name in names {
            guard let run = cases[name] else {
                FileHandle.standardError.write(
                    Data("unknown case '\(name)'; cases: \(cases.keys.sorted().joined(separator: ", "))\n".utf8))
                exit(2)
            }
            print("== \(name)")
            do {
                try await run()
            } catch {
                FileHandle.standardError.write(Data("\(name) failed: \(error)\n".utf8))
                exit(1)
            }
        }
    }

    /// Peak resident set size of this process so far, in megabytes.
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1_024
    }
}
