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
        var totals = (runs: 0, received: 0, rows: 0, requests: 0)
        var saved = SavedReportProgress()
        let decoder = JSONDecoder()
        for run in try await store.recentRuns(limit: Self.maxRunsSummed) {
            totals.runs += 1
            totals.received += run.barsReceived
            totals.rows += run.barsChanged
            totals.requests += run.requests
            if let report = run.report,
                let progress = try? decoder.decode(SavedReport.self, from: Data(report.utf8)).progress
            {
                saved.add(progress)
            }
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
                Double(saved.retries)),
            .counter(
                "backfill_ingest_rate_limited_total",
                "HTTP 429 answers met by the recorded runs (those with a report).",
                Double(saved.rateLimited)),
        ]
        figures += Self.latencyFigures(saved)
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
        let seconds = { (ms: Double?) in ms.map { $0 / 1_000 } }
        let latency =
            ScrapedSeries.Figure.quantiles(
                "backfill_monitor_run_request_latency_seconds", "Its HTTP request latency so far",
                p50: seconds(last?.requestP50Ms), p99: seconds(last?.requestP99Ms))
            + ScrapedSeries.Figure.quantiles(
                "backfill_monitor_run_store_write_latency_seconds", "Its store write latency so far",
                p50: seconds(last?.storeWriteP50Ms), p99: seconds(last?.storeWriteP99Ms))
        return values.map { name, help, value in .gauge("backfill_monitor_run_\(name)", help, value) } + latency
    }

    /// Request and store-write latency over the recorded runs whose report has it: quantiles of
    /// the merged histograms, and the time and count totals (their ratio's rate is the mean).
    private static func latencyFigures(_ saved: SavedReportProgress) -> [ScrapedSeries.Figure] {
        let families: [(String, String, String, LatencyHistogram)] = [
            ("request", "HTTP request attempts", "requests_timed", saved.requestLatency),
            ("store_write", "store writes", "store_writes", saved.storeWriteLatency),
        ]
        return families.flatMap { name, what, countName, histogram in
            ScrapedSeries.Figure.quantiles(
                "backfill_ingest_\(name)_latency_seconds", "Latency of the recorded runs' \(what)",
                p50: histogram.p50, p99: histogram.p99)
                + [
                    .counter(
                        "backfill_ingest_\(name)_seconds_total", "Time spent in the recorded runs' \(what).",
                        histogram.sum),
                    .counter(
                        "backfill_ingest_\(countName)_total", "The recorded runs' timed \(what).",
                        Double(histogram.count)),
                ]
        }
    }
}

/// A saved run report, as far as `/metrics` reads it (one decode per run).
struct SavedReport: Decodable {
    var progress: SavedReportProgress?
}

/// The counters and latency histograms under a saved report's `progress`, summed over runs. Each
/// is read on its own: a report without latency (saved before it was recorded), or with histogram
/// bounds of another version, still gives its retries and 429s.
struct SavedReportProgress: Decodable {
    var retries = 0
    var rateLimited = 0
    var requestLatency = LatencyHistogram()
    var storeWriteLatency = LatencyHistogram()

    enum CodingKeys: String, CodingKey { case retries, rateLimited, requestLatency, storeWriteLatency }

    init() {}

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        retries = (try? container.decodeIfPresent(Int.self, forKey: .retries)) ?? 0
        rateLimited = (try? container.decodeIfPresent(Int.self, forKey: .rateLimited)) ?? 0
        requestLatency = (try? container.decodeIfPresent(LatencyHistogram.self, forKey: .requestLatency)) ?? .init()
        storeWriteLatency =
            (try? container.decodeIfPresent(LatencyHistogram.self, forKey: .storeWriteLatency)) ?? .init()
    }

    mutating func add(_ other: Self) {
        retries += other.retries
        rateLimited += other.rateLimited
        requestLatency.merge(other.requestLatency)
        storeWriteLatency.merge(other.storeWriteLatency)
    }
}
