import BackfillCore
import Foundation
import Hummingbird
import Storage
import Synchronization

extension WebApp {
    /// `GET /metrics`: Prometheus text exposition (version 0.0.4) of the gui's requests, live
    /// clients and frames, the warehouse's backfill tasks by kind and state, and ingestion as the
    /// recorded runs and the monitor's running backfill report it.
    func metricsPage() async throws -> Response {
        var out = ""
        out += "# HELP backfill_gui_requests_total HTTP requests answered, by route and status class.\n"
        out += "# TYPE backfill_gui_requests_total counter\n"
        for (key, count) in metrics.requestCounts.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            out += "backfill_gui_requests_total{route=\"\(Self.label(parts[0]))\",status=\"\(parts[1])\"} \(count)\n"
        }
        out += "# HELP backfill_gui_request_duration_seconds Time to answer a request, by route.\n"
        out += "# TYPE backfill_gui_request_duration_seconds histogram\n"
        for (route, series) in metrics.durationSeries.sorted(by: { $0.key < $1.key }) {
            let route = Self.label(route)
            for (bound, count) in zip(WebMetrics.bucketBounds, series.buckets) {
                out += "backfill_gui_request_duration_seconds_bucket{route=\"\(route)\",le=\"\(bound)\"} \(count)\n"
            }
            out += "backfill_gui_request_duration_seconds_bucket{route=\"\(route)\",le=\"+Inf\"} \(series.count)\n"
            out += "backfill_gui_request_duration_seconds_sum{route=\"\(route)\"} \(series.sum)\n"
            out += "backfill_gui_request_duration_seconds_count{route=\"\(route)\"} \(series.count)\n"
        }
        let reads = metrics.storeReadSeries
        out += "# HELP backfill_gui_store_read_seconds Time to read a chart's bars from the store.\n"
        out += "# TYPE backfill_gui_store_read_seconds histogram\n"
        for (bound, count) in zip(WebMetrics.bucketBounds, reads.buckets) {
            out += "backfill_gui_store_read_seconds_bucket{le=\"\(bound)\"} \(count)\n"
        }
        out += "backfill_gui_store_read_seconds_bucket{le=\"+Inf\"} \(reads.count)\n"
        out +=
            "backfill_gui_store_read_seconds_sum \(reads.sum)\nbackfill_gui_store_read_seconds_count \(reads.count)\n"
        out += gauge("backfill_gui_websocket_clients", "Open live WebSocket connections.", metrics.webSocketClients)
        out += counter("backfill_gui_live_frames_total", "Live bar frames sent to browsers.", metrics.liveFrames)
        out += counter(
            "backfill_gui_unauthorized_total", "Requests refused for a missing or wrong token.", metrics.unauthorized)
        out += try await taskMetrics()
        out += try await lastRunMetrics()
        out += try await ingestionMetrics()
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: out)))
    }

    private func taskMetrics() async throws -> String {
        let summary = try await store.taskSummary()
        var out = "# HELP backfill_tasks Backfill tasks in the warehouse, by kind and state.\n"
        out += "# TYPE backfill_tasks gauge\n"
        for state in summary {
            out +=
                "backfill_tasks{kind=\"\(Self.label(state.kind))\",state=\"\(state.state.rawValue)\"} \(state.count)\n"
        }
        out += "# HELP backfill_task_rows Bars stored by tasks, by kind and state.\n# TYPE backfill_task_rows gauge\n"
        for state in summary {
            out +=
                "backfill_task_rows{kind=\"\(Self.label(state.kind))\",state=\"\(state.state.rawValue)\"} \(state.rows)\n"
        }
        let quarantined = try await store.quarantinedRows(limit: 0).total
        out += "# HELP backfill_quarantined_rows Input rows kept aside with a reason.\n"
        out += "# TYPE backfill_quarantined_rows gauge\nbackfill_quarantined_rows \(quarantined)\n"
        return out
    }

    /// What the latest `scraper` run did (ingestion's counters live in its process; its record here).
    private func lastRunMetrics() async throws -> String {
        guard let run = try await store.recentRuns(limit: 1).first else { return "" }
        let values: [(String, String, Double)] = [
            ("bars_received", "Bars received by the latest scraper run.", Double(run.barsReceived)),
            ("bars_changed", "Rows inserted or changed by the latest scraper run.", Double(run.barsChanged)),
            ("requests", "HTTP requests made by the latest scraper run.", Double(run.requests)),
            ("errors", "Errors reported by the latest scraper run.", Double(run.errors.count)),
            (
                "duration_seconds", "Duration of the latest scraper run.",
                Double(run.finishedAtMs - run.startedAtMs) / 1_000
            ),
            ("finished_timestamp_seconds", "When the latest scraper run finished.", Double(run.finishedAtMs) / 1_000),
        ]
        return values.map { name, help, value in
            "# HELP backfill_last_run_\(name) \(help)\n# TYPE backfill_last_run_\(name) gauge\n"
                + "backfill_last_run_\(name) \(value)\n"
        }.joined()
    }

    private func gauge(_ name: String, _ help: String, _ value: borrowing Atomic<Int>) -> String {
        "# HELP \(name) \(help)\n# TYPE \(name) gauge\n\(name) \(value.load(ordering: .relaxed))\n"
    }

    private func counter(_ name: String, _ help: String, _ value: borrowing Atomic<Int>) -> String {
        "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value.load(ordering: .relaxed))\n"
    }

    /// A label value with `\`, `"` and newlines escaped, as the text format requires.
    static func label(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
