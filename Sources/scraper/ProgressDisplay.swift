import BackfillCore
import Foundation
import Ingestion
import Synchronization

/// Progress on standard error: one line redrawn in place on a terminal, plain lines otherwise
/// (one per finished chunk, for logs and CI).
final class ProgressDisplay: Sendable {
    private let interactive: Bool
    private let json: Bool
    private let lastDraw = Mutex<Double>(-1)

    /// - Parameters:
    ///   - interactive: redraw one line (a terminal); otherwise one line per finished chunk.
    ///   - json: with `interactive` false, progress lines are JSON objects.
    init(interactive: Bool, json: Bool = false) {
        self.interactive = interactive && !json
        self.json = json
    }

    func header(_ text: String) {
        if json { JSONLine.write(["event": "start", "message": text]) } else { write(text + "\n") }
    }

    func note(_ text: String) {
        if json {
            JSONLine.write(["event": "note", "message": text])
        } else {
            write((interactive ? "\r\u{1B}[K" : "") + text + "\n")
        }
    }

    func update(_ progress: BackfillProgress) {
        if interactive {
            let due = lastDraw.withLock { last -> Bool in
                let finished = progress.itemsDone + progress.itemsFailed == progress.itemsTotal
                guard finished || progress.elapsedSeconds - last >= 0.1 else { return false }
                last = progress.elapsedSeconds
                return true
            }
            if due { write("\r\u{1B}[K" + Self.line(progress)) }
        } else if let item = progress.lastItem {
            if json {
                JSONLine.write(Self.fields(progress).merging(["chunk": item]) { $1 })
            } else {
                write(Self.line(progress) + "  last: \(item)\n")
            }
        }
    }

    func finish() {
        if interactive { write("\n") }
    }

    static func fields(_ p: BackfillProgress) -> [String: String] {
        var fields: [String: String] = [
            "event": "progress", "chunks_done": String(p.itemsDone), "chunks_failed": String(p.itemsFailed),
            "chunks_total": String(p.itemsTotal), "bars": String(p.barsReceived),
            "bars_per_s": String(Int(p.barsPerSecond)),
            "requests": String(p.requests), "retries": String(p.retries), "rate_limited": String(p.rateLimited),
            "bytes": String(p.bytes), "elapsed_s": String(format: "%.3f", p.elapsedSeconds),
            "eta_s": p.etaSeconds.map { String(format: "%.1f", $0) } ?? "",
            "mb_per_s": String(format: "%.2f", p.megabytesPerSecond),
            "phases": p.phases.map { "\($0.name) \($0.done + $0.failed)/\($0.total)" }.joined(separator: ", "),
            "rate_budget": p.rateBudget.map(String.init) ?? "",
            "last_error": p.lastError ?? "",
        ]
        // Latency per request attempt and per store write, ms, estimated from the run's histograms.
        for (name, histogram) in [("request", p.requestLatency), ("store_write", p.storeWriteLatency)] {
            fields["\(name)_p50_ms"] = histogram.p50.map(Format.milliseconds(number:)) ?? ""
            fields["\(name)_p99_ms"] = histogram.p99.map(Format.milliseconds(number:)) ?? ""
        }
        fields["requests_timed"] = String(p.requestLatency.count)
        fields["store_writes"] = String(p.storeWriteLatency.count)
        if let worker = p.workerID {
            fields["worker"] = worker
            fields["worker_chunks_done"] = String(p.workerTasksDone ?? 0)
        }
        return fields
    }

    static func line(_ p: BackfillProgress) -> String {
        var text: String
        if p.phases.isEmpty {
            text = "[\(p.itemsDone + p.itemsFailed)/\(p.itemsTotal) chunks]"
        } else {
            // Per phase: done/total, padded so the line does not jitter as counts grow.
            text =
                "["
                + p.phases.map { phase in
                    let done = String(phase.done + phase.failed)
                    let pad = String(repeating: " ", count: max(0, String(phase.total).count - done.count))
                    return "\(phase.name) \(pad)\(done)/\(phase.total)"
                }.joined(separator: " · ") + "]"
        }
        if let worker = p.workerID { text += " worker \(worker) did \(p.workerTasksDone ?? 0)" }
        text += " bars \(Format.count(p.barsReceived)) (\(Format.count(Int(p.barsPerSecond)))/s)"
        text += " \(String(format: "%.1f", p.megabytesPerSecond)) MB/s req \(p.requests)"
        if let budget = p.rateBudget { text += budget >= 0 ? " budget \(budget)" : " queued \(-budget)" }
        if p.retries > 0 { text += " retries \(p.retries)" }
        if p.rateLimited > 0 { text += " 429s \(p.rateLimited)" }
        if p.itemsFailed > 0 {
            text += " errors \(p.itemsFailed)"
            if let error = p.lastError { text += " (\(error.prefix(60)))" }
        }
        text += " \(Format.megabytes(p.bytes)) elapsed \(Format.seconds(p.elapsedSeconds))"
        if let eta = p.etaSeconds { text += " ETA \(Format.seconds(eta))" }
        return text
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

enum Format {
    /// 1234567 → "1,234,567"
    static func count(_ value: Int) -> String {
        let digits = String(abs(value))
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return (value < 0 ? "-" : "") + groups.joined(separator: ",")
    }

    static func seconds(_ value: Double) -> String {
        value < 60 ? String(format: "%.1fs", value) : String(format: "%dm%02ds", Int(value) / 60, Int(value) % 60)
    }

    /// 0.0412 s → "41.2 ms"
    static func milliseconds(_ seconds: Double) -> String {
        milliseconds(number: seconds) + " ms"
    }

    /// 0.0412 s → "41.2" (milliseconds, one decimal)
    static func milliseconds(number seconds: Double) -> String {
        String(format: "%.1f", seconds * 1_000)
    }

    static func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}
