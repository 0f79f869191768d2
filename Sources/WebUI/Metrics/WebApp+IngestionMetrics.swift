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
        var latency = ReportLatency.Progress()
        for run in try await store.recentRuns(limit: Self.maxRunsSummed) {
            totals.runs += 1
            totals.received += run.barsReceived
            totals.rows += run.barsChanged
            totals.requests += run.requests
            let progress = Self.reportProgress(run.report)
            totals.retries += progress["retries"] ?? 0
            totals.rateLimited += progress["rateLimited"] ?? 0
            latency.add(Self.reportLatency(run.report))
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
        figures += Self.latencyFigures(latency)
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
        let quantiles: [(String, String, Double?, Double?)] = [
            ("request", "Its HTTP request latency so far", last?.requestP50Ms, last?.requestP99Ms),
            ("store_write", "Its store write latency so far", last?.storeWriteP50Ms, last?.storeWriteP99Ms),
        ]
        let latency = quantiles.flatMap { name, help, p50, p99 in
            [("0.5", p50), ("0.99", p99)].map { quantile, ms in
                ScrapedSeries.Figure.gauge(
                    "backfill_monitor_run_\(name)_latency_seconds", "\(help), by quantile (0 before the first).",
                    (ms ?? 0) / 1_000, labels: [("quantile", quantile)])
            }
        }
        return values.map { name, help, value in .gauge("backfill_monitor_run_\(name)", help, value) } + latency
    }

    /// Request and store-write latency over the recorded runs whose report has it: quantiles of
    /// the merged histograms, and the time and count totals (their ratio's rate is the mean).
    private static func latencyFigures(_ latency: ReportLatency.Progress) -> [ScrapedSeries.Figure] {
        let families: [(String, String, String, LatencyHistogram)] = [
            ("request", "HTTP request attempts", "requests_timed", latency.requestLatency ?? LatencyHistogram()),
            ("store_write", "store writes", "store_writes", latency.storeWriteLatency ?? LatencyHistogram()),
        ]
        return families.flatMap { name, what, countName, histogram in
            [("0.5", histogram.p50), ("0.99", histogram.p99)].map { quantile, seconds in
                ScrapedSeries.Figure.gauge(
                    "backfill_ingest_\(name)_latency_seconds",
                    "Latency of the recorded runs' \(what), by quantile (0 before the first).", seconds ?? 0,
                    labels: [("quantile", quantile)])
            } + [
                .counter(
                    "backfill_ingest_\(name)_seconds_total", "Time spent in the recorded runs' \(what).", histogram.sum),
                .counter(
                    "backfill_ingest_\(countName)_total", "The recorded runs' timed \(what).", Double(histogram.count)),
            ]
        }
    }

    /// The latency histograms in a run's saved report (none without a report or before they were saved).
    static func reportLatency(_ report: String?) -> ReportLatency.Progress {
        guard let report else { return ReportLatency.Progress() }
        return (try? JSONDecoder().decode(ReportLatency.self, from: Data(report.utf8)))?.progress ?? .init()
    }

    /// The integer counters under `progress` in a run's saved report (empty without one).
    static func reportProgress(_ report: String?) -> [String: Int] {
        guard let report, let object = try? JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any],
            let progress = object["progress"] as? [String: Any]
        else { return [:] }
        return progress.compactMapValues { ($0 as? NSNumber)?.intValue }
    }
}

/// The part of a saved run report that holds its latency histograms.
struct ReportLatency: Decodable {
    struct Progress: Decodable {
        var requestLatency: LatencyHistogram?
        var storeWriteLatency: LatencyHistogram?

        mutating func add(_ other: Progress) {
            if let other = other.requestLatency { requestLatency = (requestLatency ?? .init()).merged(with: other) }
            if let other = other.storeWriteLatency {
                storeWriteLatency = (storeWriteLatency ?? .init()).merged(with: other)
            }
        }
    }

    var progress: Progress?
}
