import BackfillCore
import Foundation
import Ingestion
import MessageBus
import Synchronization

/// Backfills running in other processes, as their progress arrives on the bus
/// (`backfill.progress`, which `scraper backfill --bus redis|postgres://…` publishes): the latest
/// counters of each, so `/metrics` shows a run while it goes on and not only once it has recorded
/// itself in `runs`.
///
/// Runs are told apart by their worker id (`scraper worker`), else by the publishing process's run
/// id (`pid N since …`, which `BackfillProgress.publish(on:)` stamps); a message with neither has
/// the key `""`. A run not heard from for
/// ``forgetAfter`` is dropped, and at most ``maxRuns`` are kept (the longest silent go first).
public final class BusRuns: Sendable {
    public struct Seen: Sendable {
        public var progress: BackfillProgress
        public var receivedAt: Date
    }

    static let maxRuns = 16
    static let forgetAfter: TimeInterval = 3_600

    private let runs = Mutex<[String: Seen]>([:])
    /// Progress messages that did not decode (from another version, or not progress at all).
    private let unreadable = Atomic<Int>(0)

    public init() {}

    /// Follows `bus` until the task is cancelled.
    public func follow(_ bus: any MessageBus) async {
        for await message in bus.subscribe(topicPrefix: Topic.progress, bufferSize: 256) {
            record(message)
        }
    }

    /// Keeps the progress in `message`, if it is one.
    func record(_ message: BusMessage, at now: Date = Date()) {
        guard message.topic == Topic.progress,
            let progress = try? JSONDecoder().decode(BackfillProgress.self, from: Data(message.payload))
        else {
            unreadable.add(1, ordering: .relaxed)
            return
        }
        runs.withLock { runs in
            runs[progress.workerID ?? progress.runID ?? ""] = Seen(progress: progress, receivedAt: now)
            if runs.count > Self.maxRuns, let oldest = runs.min(by: { $0.value.receivedAt < $1.value.receivedAt }) {
                runs.removeValue(forKey: oldest.key)
            }
        }
    }

    /// The runs heard from within ``forgetAfter``, by worker or run id.
    public func current(at now: Date = Date()) -> [String: Seen] {
        runs.withLock { runs in
            runs = runs.filter { now.timeIntervalSince($0.value.receivedAt) < Self.forgetAfter }
            return runs
        }
    }

    var unreadableCount: Int { unreadable.load(ordering: .relaxed) }
}

extension WebApp {
    /// What the bus says of backfills in other processes, one labeled series per run (`run`: the
    /// worker id, else the process's run id).
    func busRunFigures(at now: Date = Date()) -> [ScrapedSeries.Figure] {
        var figures: [ScrapedSeries.Figure] = []
        let runs = busRuns.current(at: now)
        for (run, seen) in runs {
            let labels = [("run", run)]  // escaped by the registry
            let p = seen.progress
            let values: [(String, String, Double)] = [
                ("items_total", "Tasks its run planned.", Double(p.itemsTotal)),
                ("items_done", "Tasks its run finished.", Double(p.itemsDone)),
                ("items_failed", "Tasks its run gave up on.", Double(p.itemsFailed)),
                ("bars_received", "Bars its run received so far.", Double(p.barsReceived)),
                ("bars_changed", "Rows its run inserted or changed so far.", Double(p.barsChanged)),
                ("requests", "HTTP requests its run made so far.", Double(p.requests)),
                ("retries", "Requests its run retried so far.", Double(p.retries)),
                ("rate_limited", "HTTP 429 answers its run met so far.", Double(p.rateLimited)),
                ("bars_per_second", "Its bars per second so far.", p.barsPerSecond),
                ("eta_seconds", "Seconds its run has left at its pace (0 when unknown).", p.etaSeconds ?? 0),
                (
                    "age_seconds", "Seconds since its latest progress arrived.",
                    max(0, now.timeIntervalSince(seen.receivedAt))
                ),
            ]
            for (name, help, value) in values {
                figures.append(
                    .gauge(
                        "backfill_bus_run_\(name)", "A backfill reporting on the bus: \(help)", value, labels: labels))
            }
            for (name, histogram) in [("request", p.requestLatency), ("store_write", p.storeWriteLatency)] {
                figures += ScrapedSeries.Figure.quantiles(
                    "backfill_bus_run_\(name)_latency_seconds",
                    "A backfill reporting on the bus: its \(name.replacingOccurrences(of: "_", with: " ")) latency so far",
                    p50: histogram.p50, p99: histogram.p99, labels: labels)
            }
        }
        figures.append(
            .counter(
                "backfill_bus_progress_unreadable_total", "Messages on backfill.progress that were not progress.",
                Double(busRuns.unreadableCount)))
        figures.append(
            .gauge(
                "backfill_bus_runs", "Backfills heard on the bus (backfill.progress) within the last hour.",
                Double(runs.count)))
        return figures
    }
}
