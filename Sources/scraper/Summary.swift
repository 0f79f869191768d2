import BackfillCore
import Ingestion

/// The final report printed on standard output.
enum Summary {
    static func render(_ report: BackfillReport, range: DayRange, database: String) -> String {
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
        lines.append("  rate        \(Format.count(Int(p.barsPerSecond))) bars/s")
        lines.append(
            "  requests    \(p.requests) (\(p.retries) retries, \(p.rateLimited) rate-limited), \(Format.megabytes(p.bytes))"
        )
        lines.append(
            "  chunks      \(p.itemsDone) stored, \(p.itemsFailed) failed, \(report.alreadyCovered) ticker/timeframes already complete"
        )
        lines.append("  errors      \(report.failures.count)")
        for failure in report.failures.prefix(20) { lines.append("    - \(failure)") }
        if report.failures.count > 20 { lines.append("    … and \(report.failures.count - 20) more") }
        lines.append("  database    \(database)")
        if report.status == .interrupted { lines.append("Interrupted: run the same command again to continue.") }
        if report.status == .failed { lines.append("Some chunks failed: run the same command again to retry them.") }
        return lines.joined(separator: "\n")
    }
}
