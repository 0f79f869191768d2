import BackfillCore
import Foundation
import Storage

extension WebApp {
    /// Most recorded runs summed into the ingestion totals (the runs table grows by one row a run).
    static let maxRunsSummed = 10_000

    /// Ingestion as the warehouse records it: totals over the runs `scraper` recorded (rows,
    /// requests, and the retries and 429s of runs that saved their report), the task queue's
    /// depth, and the figures of the backfill the monitor is running, from its progress events.
    func ingestionFigures() async throws -> [ScrapedSeries.Figure] {
        var totals = (runs: 0, received: 0, rows: 0, requests: 0, retries: 0, rateLimited: 0)
        for run in try await store.recentRuns(limit: Self.maxRunsSummed) {
            totals.runs += 1
            totals.received += run.barsReceived
            totals.rows += run.barsChanged
            totals.requests += run.requests
            let progress = Self.reportProgress(run.report)
            totals.retries += progress["retries"] ?? 0
            totals.rateLimited += progress["rateLimited"] ?? 0
        }
        var figures: [ScrapedSeries.Figure] = [
            .counter("backfill_ingest_runs_total", "Runs scraper recorded.", Double(totals.runs)),
            .counter(
                "backfill_ingest_bars_received_total", "Bars received by the recorded runs.", Double(totals.received)),
            .counter(
                "backfill_ingest_rows_total", "Rows inserted or changed by the recorded runs.", Double(totals.rows)),
            .counter(
                "backfill_ingest_requests_total", "HTTP requests (or day files) of the recorded runs.",
                Double(totals.requests)),
            .counter(
                "backfill_ingest_retries_total", "Requests retried by the recorded runs (those with a report).",
                Double(totals.retries)),
            .counter(
                "backfill_ingest_rate_limited_total",
                "HTTP 429 answers met by the recorded runs (those with a report).",
                Double(totals.rateLimited)),
        ]
        let queued: Set<FileTask.State> = [.pending, .downloading, .processing]
        let depth = try await store.taskSummary().filter { queued.contains($0.state) }.reduce(0) { $0 + $1.count }
        figures.append(
            .gauge("backfill_task_queue_depth", "Day-file tasks pending, downloading or processing.", Double(depth)))
        return figures + monitorRunFigures()
    }

    /// The progress of the backfill or repair the monitor started, while it runs or after it ended.
    private func monitorRunFigures() -> [ScrapedSeries.Figure] {
        guard let status = launcher?.status(), !status.arguments.isEmpty else { return [] }
        let last = status.progress.last
        let values: [(String, String, Double)] = [
            ("running", "1 while the monitor's scraper child runs.", status.running ? 1 : 0),
            ("bars", "Bars received by the monitor's latest run so far.", Double(last?.bars ?? 0)),
            ("bars_per_second", "Its bars per second so far.", last?.barsPerSecond ?? 0),
            ("requests", "Its HTTP requests so far.", Double(last?.requests ?? 0)),
            ("retries", "Its retried requests so far.", Double(last?.retries ?? 0)),
            ("rate_limited", "Its HTTP 429 answers so far.", Double(last?.rateLimited ?? 0)),
        ]
        return values.map { name, help, value in .gauge("backfill_monitor_run_\(name)", help, value) }
    }

    /// The integer counters under `progress` in a run's saved report (empty without one).
    static func reportProgress(_ report: String?) -> [String: Int] {
        guard let report, let object = try? JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any],
            let progress = object["progress"] as? [String: Any]
        else { return [:] }
        return progress.compactMapValues { ($0 as? NSNumber)?.intValue }
    }
}
