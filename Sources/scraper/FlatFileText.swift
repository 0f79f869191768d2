import BackfillCore
import Ingestion
import Polygon
import Storage

/// What `scraper` prints about flat files: the plan (`--dry-run`) and the final summary.
enum FlatFileText {
    static func plan(
        _ plan: FlatFilePlanner.Plan, request: BackfillRequest, source: String, hybrid: Bool, database: String
    ) -> String {
        let who = request.allTickers ? "every ticker" : request.tickers.joined(separator: ", ")
        var lines = ["Flat-file plan for \(who) \(request.range) from \(source) into \(database):"]
        for dataset in DayFileDataset.allCases {
            let jobs = plan.jobs.filter { $0.dataset == dataset }
            guard plan.listedDays[dataset] != nil else { continue }
            let bytes = jobs.reduce(0) { $0 + $1.object.size }
            let days = jobs.map(\.date)
            let span = days.first.map { "\($0)…\(days.last ?? $0)" } ?? "-"
            lines.append(
                "  \(dataset.timeframe) files  \(jobs.count) to process (\(span)), \(Format.megabytes(bytes)); "
                    + "\(plan.listedDays[dataset]?.count ?? 0) listed")
            let unlisted = plan.unlistedSessions[dataset] ?? []
            if !unlisted.isEmpty {
                lines.append(
                    "  \(dataset.timeframe) no file  \(unlisted.count) sessions (\(unlisted[0])…\(unlisted[unlisted.count - 1])): "
                        + (hybrid ? "fetched over REST" : "not yet published; run again later"))
            }
        }
        lines.append("  already stored    \(plan.alreadyDone) day files")
        if !plan.skippedFailed.isEmpty {
            lines.append("  failed earlier    \(plan.skippedFailed.count) (skipped; --retry-failed runs them again)")
        }
        lines.append("  total             \(plan.jobs.count) day files, \(Format.megabytes(plan.bytes)) to download")
        for job in plan.jobs.prefix(10) { lines.append("    \(job.object.key) \(Format.megabytes(job.object.size))") }
        if plan.jobs.count > 10 { lines.append("    … and \(plan.jobs.count - 10) more files") }
        return lines.joined(separator: "\n")
    }

    static func summary(_ report: FlatFileReport, request: BackfillRequest, database: String) -> String {
        let p = report.progress
        var lines = ["Flat files \(report.status.rawValue) in \(Format.seconds(p.elapsedSeconds))"]
        lines.append("  tickers     \(request.allTickers ? "every ticker" : request.tickers.joined(separator: ", "))")
        lines.append("  range       \(request.range.first) to \(request.range.last)")
        lines.append(
            "  files       \(p.itemsDone) stored, \(p.itemsFailed) failed, \(report.plan.alreadyDone) already stored, "
                + "\(report.plan.skippedFailed.count) failed earlier (skipped)")
        for timeframe in ["1d", "1m"] where report.barsByTimeframe[timeframe] != nil {
            lines.append(
                "  \(timeframe) bars     \(Format.count(report.barsByTimeframe[timeframe] ?? 0)) stored, "
                    + "\(Format.count(report.changedByTimeframe[timeframe] ?? 0)) new or changed")
        }
        lines.append(
            "  rate        \(Format.count(Int(p.barsPerSecond))) bars/s, \(Format.megabytes(p.bytes)) "
                + "(\(Format.megabytes(Int(p.bytesPerSecond)))/s)")
        lines.append(
            "  requests    \(p.requests) (\(p.retries) retries, \(p.rateLimited) rate-limited)")
        lines.append(Summary.latencyLine(p))
        lines.append("  quarantined \(report.quarantinedCount) rows")
        for row in report.quarantined.prefix(20) { lines.append("    - \(row)") }
        if report.quarantinedCount > 20 {
            lines.append("    … and \(report.quarantinedCount - 20) more (`scraper status` lists the latest)")
        }
        if !report.absentTickers.isEmpty {
            lines.append("  absent      \(report.absentTickers.joined(separator: ", ")) (in no processed file)")
        }
        lines.append("  errors      \(report.failures.count)")
        for failure in report.failures.prefix(20) { lines.append("    - \(failure)") }
        for task in report.plan.skippedFailed.prefix(5) {
            lines.append("    - \(task.key) failed earlier: \(task.error ?? "unknown") (--retry-failed)")
        }
        lines.append("  database    \(database)")
        if report.status == .interrupted { lines.append("Interrupted: run the same command again to continue.") }
        if !report.failures.isEmpty {
            lines.append("Some day files failed: run again with --retry-failed to retry them.")
        }
        return lines.joined(separator: "\n")
    }
}
