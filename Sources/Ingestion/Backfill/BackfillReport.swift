import BackfillCore
import Foundation
import MessageBus

/// Live counters of a run, sent to the progress display and the bus.
public struct BackfillProgress: Sendable, Equatable, Codable {
    public var itemsTotal = 0
    public var itemsDone = 0
    public var itemsFailed = 0
    public var barsReceived = 0
    public var barsChanged = 0
    public var requests = 0
    public var retries = 0
    public var rateLimited = 0
    /// Bytes downloaded (JSON pages, or day files).
    public var bytes = 0
    /// Input rows quarantined (flat files: malformed or invalid rows, each stored with file and line).
    public var quarantined = 0
    public var elapsedSeconds = 0.0
    /// The item that just finished, e.g. `AMD 1m 2025-01-01…2025-01-30`.
    public var lastItem: String?
    /// Per phase (`daily`, `minute`, …) in run order: tasks done, failed and planned.
    public var phases: [PhaseProgress] = []
    /// Requests the rate budget allows right now (negative: queued); nil without a limit.
    public var rateBudget: Int?
    /// The latest error, while the run goes on.
    public var lastError: String?
    /// With several workers sharing a queue (``BackfillWorker``): this worker's id and the tasks it
    /// completed; the item counts above are then every worker's.
    public var workerID: String?
    /// Which process published this on the bus (``processRunID``), so a watcher tells two runs apart.
    public var runID: String?
    public var workerTasksDone: Int?
    /// How long HTTP requests took, per attempt (REST requests, or S3 listings and day-file downloads),
    /// from the send to the body's last byte; cumulative over the run.
    public var requestLatency = LatencyHistogram()
    /// How long store writes took: each chunk's bars with its coverage (REST), or each day file's write
    /// transaction (flat files, decoding included as it streams into the transaction); cumulative.
    public var storeWriteLatency = LatencyHistogram()

    public init() {}

    /// Publishes this snapshot as JSON on `backfill.progress`, for watchers in other processes (the
    /// gui's `/metrics`); nothing without a bus.
    public func publish(on bus: (any MessageBus)?) async {
        var stamped = self
        stamped.runID = stamped.runID ?? Self.processRunID
        guard let bus, let payload = try? JSONEncoder().encode(stamped) else { return }
        await bus.publish(BusMessage(topic: Topic.progress, payload: Array(payload)))
    }

    /// This process's run as watchers see it: `pid N since HH:MM:SSZ` (a run is one process).
    public static let processRunID: String = {
        let started = ISO8601DateFormatter().string(from: Date())
        return "pid \(ProcessInfo.processInfo.processIdentifier) since \(started)"
    }()

    /// Megabytes (10^6 bytes) received per second so far.
    public var megabytesPerSecond: Double { elapsedSeconds > 0 ? Double(bytes) / 1e6 / elapsedSeconds : 0 }

    /// Bars received per second so far.
    public var barsPerSecond: Double { elapsedSeconds > 0 ? Double(barsReceived) / elapsedSeconds : 0 }

    /// Bytes downloaded per second so far.
    public var bytesPerSecond: Double { elapsedSeconds > 0 ? Double(bytes) / elapsedSeconds : 0 }

    /// Seconds left at the current pace, once there is a pace to go by.
    public var etaSeconds: Double? {
        let finished = itemsDone + itemsFailed
        guard finished > 0, itemsTotal > finished, elapsedSeconds > 0 else { return nil }
        return elapsedSeconds / Double(finished) * Double(itemsTotal - finished)
    }
}

/// One phase's tasks in a progress snapshot.
public struct PhaseProgress: Sendable, Equatable, Codable {
    public var name: String
    public var done: Int
    public var failed: Int
    public var total: Int

    public init(name: String, done: Int = 0, failed: Int = 0, total: Int) {
        self.name = name
        self.done = done
        self.failed = failed
        self.total = total
    }
}

/// A failed chunk: which data, what went wrong.
public struct BackfillFailure: Sendable, Equatable, Codable, CustomStringConvertible {
    public var item: String
    public var message: String
    public var description: String { "\(item): \(message)" }
}

/// The outcome of a run.
public struct BackfillReport: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Equatable, Codable {
        case completed, failed, interrupted
    }

    public var status: Status
    public var tickers: [String]
    public var progress: BackfillProgress
    /// Bars received per timeframe label (`1d`, `1m`).
    public var barsByTimeframe: [String: Int]
    public var changedByTimeframe: [String: Int]
    public var failures: [BackfillFailure]
    /// Chunks skipped because the store already had them.
    public var alreadyCovered: Int
}
