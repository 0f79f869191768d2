import Foundation
import BackfillCore
import Ingestion

/// The final report printed on standard output.
enum Summary {
    static func render(_ report: BackfillReport, phases: [PhaseReport] = [], range: DayRange, database: String)
        -> String
    {
        let p = report.progress
        var lines = ["Backfill \(report.status.rawValue) in \(Format.seconds(p.elapsedSeconds))"]
        lines.append(
            "  tickers     \(report.tickers == [] ? "every ticker (grouped daily)" : report.tickers.joined(separator: ", "))"
        )
        lines.append("  range       \(range.first) to \(range.last)")
        for timeframe in ["1d", "1m"] where report.barsByTimeframe[timeframe] != nil || p.itemsTotal == 0 {
            let received = report.barsByTimeframe[timeframe] ?? 0
            let changed = report.changedByTimeframe[timeframe] ?? 0
            lines.append(
                "  \(timeframe) bars     \(Format.count(received)) received, \(Format.count(changed)) new or changed")
        }
        for phase in phases { lines.append(line(phase)) }
        lines.append("  rate        \(Format.count(Int(p.barsPerSecond))) bars/s")
        lines.append(
            "  requests    \(p.requests) (\(p.retries) retries, \(p.rateLimited) rate-limited), \(Format.megabytes(p.bytes))"
        )
        lines.append(latencyLine(p))
        lines.append(
            "  chunks      \(p.itemsDone) stored, \(p.itemsFailed) failed, \(report.alreadyCovered) ticker/timeframes already complete"
        )
        if let worker = p.workerID {
            lines.append(
                "  worker      \(worker) completed \(p.workerTasksDone ?? 0) of the chunks (all workers' counts above)")
        }
        lines.append("  errors      \(report.failures.count)")
        for failure in report.failures.prefix(20) { lines.append("    - \(failure)") }
        if report.failures.count > 20 { lines.append("    … and \(report.failures.count - 20) more") }
        lines.append("  database    \(database)")
        if report.status == .interrupted { lines.append("Interrupted: run the same command again to continue.") }
        if report.status == .failed { lines.append("Some chunks failed: run the same command again to retry them.") }
        return lines.joined(separator: "\n")
    }

    /// `  latency     requests p50 41.2 ms p99 180.0 ms (212), store writes p50 3.1 ms p99 9.8 ms (30)`:
    /// per HTTP request attempt and per store write, estimated from the run's histograms.
    static func latencyLine(_ p: BackfillProgress) -> String {
        func part(_ name: String, _ histogram: LatencyHistogram) -> String {
            guard let p50 = histogram.p50, let p99 = histogram.p99 else { return "\(name) none" }
            return "\(name) p50 \(Format.milliseconds(p50)) p99 \(Format.milliseconds(p99)) (\(histogram.count))"
        }
        return "  latency     \(part("requests", p.requestLatency)), \(part("store writes", p.storeWriteLatency))"
    }

    /// One line per metadata phase: what it fetched, skipped and changed, and its requests.
    static func line(_ phase: PhaseReport) -> String {
        let label = "  \(phase.phase)".padding(toLength: 14, withPad: " ", startingAt: 0)
        if let reason = phase.skippedBecause { return label + "skipped: \(reason)" }
        let scopes = phase.fetched + phase.skipped
        return label
            + "\(phase.fetched) of \(scopes) fetched (\(phase.skipped) already synced), \(phase.changed) new or changed, "
            + "\(phase.requests) requests; \(phase.detail)"
            + (phase.failures.isEmpty ? "" : ", \(phase.failures.count) failed")
    }
}
