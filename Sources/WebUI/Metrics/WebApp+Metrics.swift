import BackfillCore
import Foundation
import Hummingbird
import Prometheus
import Storage
import Synchronization

extension WebApp {
    /// `GET /metrics`: Prometheus text exposition (version 0.0.4) of the gui's registry: its
    /// requests, store reads, live clients and frames (recorded as they happen), and the
    /// warehouse's backfill tasks, recorded runs, ingestion totals and the monitor's running
    /// backfill (read now and set on the registry).
    func metricsPage() async throws -> Response {
        var figures = try await taskFigures()
        figures += try await lastRunFigures()
        figures += try await ingestionFigures()
        figures += busRunFigures()
        let registry = metrics.registry
        let page = metrics.scrapeLock.withLock { series in
            series.apply(figures, to: registry)
            return registry.emitToBuffer()
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: page)))
    }

    private func taskFigures() async throws -> [ScrapedSeries.Figure] {
        let summary = try await store.taskSummary()
        var figures: [ScrapedSeries.Figure] = []
        for state in summary {
            let labels = [("kind", state.kind), ("state", state.state.rawValue)]
            figures.append(
                .gauge(
                    "backfill_tasks", "Backfill tasks in the warehouse, by kind and state.", Double(state.count),
                    labels: labels))
            figures.append(
                .gauge(
                    "backfill_task_rows", "Bars stored by tasks, by kind and state.", Double(state.rows),
                    labels: labels))
        }
        let quarantined = try await store.quarantinedRows(limit: 0).total
        figures.append(
            .gauge("backfill_quarantined_rows", "Input rows kept aside with a reason.", Double(quarantined)))
        return figures
    }

    /// What the latest `scraper` run did (ingestion's counters live in its process; its record here).
    private func lastRunFigures() async throws -> [ScrapedSeries.Figure] {
        guard let run = try await store.recentRuns(limit: 1).first else { return [] }
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
        return values.map { name, help, value in .gauge("backfill_last_run_\(name)", help, value) }
    }
}

/// The warehouse's figures, set on the registry at each scrape. A labeled series seen at an
/// earlier scrape and absent now (tasks that left a state) is set to zero, not left at its old value.
struct ScrapedSeries: Sendable {
    struct Figure: Sendable {
        enum Kind: Sendable { case gauge, counter }
        var kind: Kind
        var name: String
        var help: String
        var labels: [(String, String)]
        var value: Double

        static func gauge(_ name: String, _ help: String, _ value: Double, labels: [(String, String)] = []) -> Figure {
            Figure(kind: .gauge, name: name, help: help, labels: labels, value: value)
        }

        /// A total the warehouse keeps (summed over recorded runs): set, not incremented.
        static func counter(_ name: String, _ help: String, _ value: Double) -> Figure {
            Figure(kind: .counter, name: name, help: help, labels: [], value: value)
        }

        /// The p50 and p99 gauges of one latency family, in seconds, labeled `quantile` after
        /// `labels`; 0 before the first observation (the help says so).
        static func quantiles(
            _ name: String, _ help: String, p50: Double?, p99: Double?, labels: [(String, String)] = []
        ) -> [Figure] {
            [("0.5", p50), ("0.99", p99)].map { quantile, seconds in
                .gauge(
                    name, "\(help), by quantile (0 before the first).", seconds ?? 0,
                    labels: labels + [("quantile", quantile)])
            }
        }

        var key: String { ([name] + labels.map { "\($0.0)=\($0.1)" }).joined(separator: "|") }
    }

    private var previous: [String: Figure] = [:]

    mutating func apply(_ figures: [Figure], to registry: PrometheusCollectorRegistry) {
        var current: [String: Figure] = [:]
        for figure in figures { current[figure.key] = figure }
        for (key, var stale) in previous where current[key] == nil {
            stale.value = 0
            current[key] = stale
        }
        for figure in current.values {
            let descriptor = MetricNameDescriptor(metricName: figure.name, unitName: "", helpText: figure.help)
            switch figure.kind {
            case .gauge:
                registry.makeGauge(descriptor: descriptor, labels: figure.labels).set(figure.value)
            case .counter:
                let counter = registry.makeCounter(descriptor: descriptor, labels: figure.labels)
                counter.reset()
                // Whole totals stay integers in the text (`12`, not `12.0`).
                if figure.value.rounded() == figure.value, abs(figure.value) < 9e15 {
                    counter.increment(by: Int64(figure.value))
                } else {
                    counter.increment(by: figure.value)
                }
            }
        }
        previous = current
    }
}
