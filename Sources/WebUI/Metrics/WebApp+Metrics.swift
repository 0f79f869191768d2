import BackfillCore
import Foundation
import Hummingbird
import Storage
import Synchronization

extension WebApp {
    /// `GET /metrics`: Prometheus text exposition (version 0.0.4) of the gui's requests, live
    /// clients and frames, and the warehouse's backfill tasks by kind and state.
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
        out += gauge("backfill_gui_websocket_clients", "Open live WebSocket connections.", metrics.webSocketClients)
        out += counter("backfill_gui_live_frames_total", "Live bar frames sent to browsers.", metrics.liveFrames)
        out += counter(
            "backfill_gui_unauthorized_total", "Requests refused for a missing or wrong token.", metrics.unauthorized)
        out += try await taskMetrics()
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
