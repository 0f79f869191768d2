import Foundation
import MessageBus

/// Reads a `scraper --log-format json` log as it grows: progress events become samples (for the
/// monitor's rates over time), every other line is kept as text. Bounded: at most
/// ``maxSamples`` samples (older ones thinned by half when full) and ``maxLines`` lines.
struct BackfillProgressLog: Sendable {
    /// One `progress` event.
    struct Sample: Sendable, Equatable {
        var elapsedSeconds: Double
        var bars: Int
        var barsPerSecond: Double
        var requests: Int
        var retries: Int
        var rateLimited: Int
        var chunksDone: Int
        var chunksFailed: Int
        var chunksTotal: Int
        var etaSeconds: Double?
        var rateBudget: String?
        var lastError: String?
        /// Latency so far, ms, estimated from the run's histograms (nil before the first one): per HTTP
        /// request attempt, and per store write (a chunk, or a day file's transaction).
        var requestP50Ms: Double?
        var requestP99Ms: Double?
        var storeWriteP50Ms: Double?
        var storeWriteP99Ms: Double?
        /// Requests and store writes timed so far.
        var requestsTimed: Int
        var storeWrites: Int
    }

    static let maxSamples = 600
    static let maxLines = 200
    /// Most bus messages kept between two relays (the oldest beyond are dropped, as a bus would).
    static let maxBusMessages = 10_000
    private(set) var samples: [Sample] = []
    /// `bus` events read and not yet relayed (``takeBusMessages()``).
    private var busMessages: [BusMessage] = []
    private(set) var lines: [String] = []
    private var offset: UInt64 = 0
    private var partial = ""

    /// Reads what was appended to `url` since the last call (at most 4 MB at a time).
    mutating func read(_ url: URL) {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        guard let data = try? handle.read(upToCount: 4 << 20), !data.isEmpty else { return }
        offset += UInt64(data.count)
        let text = partial + String(decoding: data, as: UTF8.self)
        var pieces = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        partial = pieces.removeLast()
        for line in pieces where !line.isEmpty { take(line) }
    }

    private mutating func take(_ line: String) {
        guard line.hasPrefix("{"),
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { return keep(line) }
        if object["event"] as? String == "bus" {
            // A message the child announced (`--bus log`), relayed by the launcher; not a log line.
            if let topic = object["topic"] as? String, let payload = object["payload"] as? String {
                busMessages.append(BusMessage(topic: topic, text: payload))
                // Trimmed in halves, so dropping the oldest stays cheap per message.
                if busMessages.count >= 2 * Self.maxBusMessages { busMessages.removeFirst(Self.maxBusMessages) }
            }
            return
        }
        guard object["event"] as? String == "progress" else {
            return keep((object["message"] as? String) ?? line)
        }
        let int = { (key: String) in Int(object[key] as? String ?? "") ?? 0 }
        let double = { (key: String) in Double(object[key] as? String ?? "") }
        let text = { (key: String) in (object[key] as? String).flatMap { $0.isEmpty ? nil : $0 } }
        samples.append(
            Sample(
                elapsedSeconds: double("elapsed_s") ?? 0, bars: int("bars"), barsPerSecond: double("bars_per_s") ?? 0,
                requests: int("requests"), retries: int("retries"), rateLimited: int("rate_limited"),
                chunksDone: int("chunks_done"), chunksFailed: int("chunks_failed"), chunksTotal: int("chunks_total"),
                etaSeconds: double("eta_s"), rateBudget: text("rate_budget"), lastError: text("last_error"),
                requestP50Ms: double("request_p50_ms"), requestP99Ms: double("request_p99_ms"),
                storeWriteP50Ms: double("store_write_p50_ms"), storeWriteP99Ms: double("store_write_p99_ms"),
                requestsTimed: int("requests_timed"), storeWrites: int("store_writes")))
        if samples.count > Self.maxSamples {
            samples = samples.enumerated().filter { $0.offset % 2 == 0 || $0.offset == samples.count - 1 }.map(
                \.element)
        }
    }

    /// The bus messages read since the last call.
    mutating func takeBusMessages() -> [BusMessage] {
        defer { busMessages.removeAll() }
        return Array(busMessages.suffix(Self.maxBusMessages))
    }

    private mutating func keep(_ line: String) {
        lines.append(String(line.prefix(2_000)))
        if lines.count > Self.maxLines { lines.removeFirst(lines.count - Self.maxLines) }
    }
}
