import BackfillCore
import Foundation
import Polygon
import Storage

/// One day file through decode → keep wanted tickers → validate → indicators → store, in one
/// transaction. Decoding, validation and indicators run on a thread of their own (inflating on
/// another, inside `FlatFileDecoder`), the SQLite statements on the store's writing thread, with a
/// bounded ``DayFileChannel`` between them; nothing of the file is kept if any step fails.
struct DayFileProcessor: Sendable {
    /// What processing one file did.
    struct Outcome: Sendable {
        var write: WriteOutcome
        var summary: FlatFileSummary
        /// Bars rejected by validation (the parse-level ones are in `summary`).
        var invalidBars: Int
        var quarantined: [QuarantineRecord]
        /// Wanted tickers present in the file.
        var present: Set<String>
        /// Bars stored per ticker (those with at least one valid bar).
        var stored: [String: Int] = [:]
        /// How long the write transaction took, seconds (decoding streams into it, so it is included).
        var writeSeconds = 0.0
    }

    /// Where the file is and what it is.
    var path: String
    var key: String
    var dataset: DayFileDataset
    var date: LocalDate
    /// nil: every ticker.
    var wanted: Set<String>?
    /// The coverage to record once stored (``BarStoreSymbols/allTickers`` for every ticker).
    var markRange: DayRange
    /// Also mark wanted tickers that are absent from the file (nothing else will fetch them).
    var markAbsent: Bool
    var task: StoredTask
    var decoder: FlatFileDecoder
    var calendar: TradingCalendar
    var book: IndicatorBook
    /// Bars per piece handed to the writer.
    var piece = 32_768

    func run(store: any TaskStore) async throws -> Outcome {
        let channel = DayFileChannel(capacity: 4)
        let work = DecodeWork(processor: self, channel: channel)
        async let decoded = work.runOnThread()
        let write: WriteOutcome
        let started = ContinuousClock.now
        do {
            write = try await store.writeDayFile(channel)
        } catch {
            channel.close()
            _ = await decoded
            book.discard()
            throw error
        }
        book.commit()
        guard case .success(let outcome) = await decoded else {
            throw StorageError(.write, "day file \(key): the decoder did not finish after the commit")
        }
        var result = outcome
        result.write = write
        result.writeSeconds = (ContinuousClock.now - started).inSeconds
        return result
    }
}

/// The decoding side of one day file, run on its own thread.
private struct DecodeWork: Sendable {
    let processor: DayFileProcessor
    let channel: DayFileChannel

    struct Stopped: Error {}

    func runOnThread() async -> Result<DayFileProcessor.Outcome, any Error> {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                let result = Result { try decode() }
                if case .failure(let error) = result, !(error is Stopped) { channel.fail(error) }
                continuation.resume(returning: result)
            }
            thread.name = "flatfile-decode"
            thread.start()
        }
    }

    private func decode() throws -> DayFileProcessor.Outcome {
        let p = processor
        var state = SymbolAccumulator(processor: p)
        let summary = try p.decoder.decodeAggregates(file: p.path, name: p.key) { rows in
            for row in rows { try state.add(row, channel) }
        }
        try state.finishSymbol(channel)
        try state.flush(channel, force: true)
        var quarantined = summary.quarantined.map {
            QuarantineRecord(source: p.key, line: $0.line, reason: $0.reason, raw: $0.text)
        }
        if summary.quarantinedCount > summary.quarantined.count {
            quarantined.append(
                QuarantineRecord(
                    source: p.key, line: 0,
                    reason: "\(summary.quarantinedCount - summary.quarantined.count) more malformed rows (not kept)",
                    raw: ""))
        }
        quarantined += state.invalid
        var task = p.task
        task.state = .done
        task.rows = state.stored
        task.quarantined = summary.quarantinedCount + state.invalid.count
        task.error = nil
        task.updatedAtMs = Int64(Date().timeIntervalSince1970 * 1_000)
        let marks = markedSymbols(present: state.present).map {
            CoverageMark(symbol: $0, timeframe: p.dataset.timeframe, range: p.markRange, source: .flatFile)
        }
        let completion = DayFileCompletion(marks: marks, quarantined: quarantined, task: task)
        guard channel.send(.finish(completion)) else { throw Stopped() }
        return DayFileProcessor.Outcome(
            write: WriteOutcome(received: state.stored, changed: 0), summary: summary,
            invalidBars: state.invalid.count, quarantined: quarantined, present: state.present,
            stored: state.storedBySymbol)
    }

    private func markedSymbols(present: Set<String>) -> [String] {
        guard let wanted = processor.wanted else { return [BarStoreSymbols.allTickers] }
        return (processor.markAbsent ? Array(wanted) : Array(present)).sorted()
    }
}

/// Collects one ticker's rows (files are sorted by ticker, then time), validates them, feeds the
/// indicators, and hands full pieces to the writer.
private struct SymbolAccumulator {
    let processor: DayFileProcessor
    var ticker = ""
    var keep = false
    var rows: [FlatFileRow] = []
    var batches: [BarBatch] = []
    var states: [IndicatorStateUpdate] = []
    var pendingBars = 0
    var stored = 0
    var invalid: [QuarantineRecord] = []
    var present: Set<String> = []
    var storedBySymbol: [String: Int] = [:]

    init(processor: DayFileProcessor) {
        self.processor = processor
    }

    mutating func add(_ row: FlatFileRow, _ channel: DayFileChannel) throws {
        if row.ticker != ticker {
            try finishSymbol(channel)
            ticker = row.ticker
            keep = processor.wanted?.contains(row.ticker) ?? true
        }
        if keep { rows.append(row) }
    }

    mutating func finishSymbol(_ channel: DayFileChannel) throws {
        defer { rows.removeAll(keepingCapacity: true) }
        guard keep, !rows.isEmpty else { return }
        let timeframe = processor.dataset.timeframe
        var validator = BarValidator(calendar: processor.calendar, configuration: .init(timeframe: timeframe))
        var bars: [Bar] = []
        bars.reserveCapacity(rows.count)
        for row in rows {
            switch validator.validate(row.bar) {
            case .accepted: bars.append(row.bar)
            case .quarantined(let bad):
                invalid.append(
                    QuarantineRecord(
                        source: processor.key, line: row.line, reason: "\(bad.reason.rawValue): \(bad.message)",
                        raw: Self.text(row)))
            }
        }
        present.insert(ticker)
        if let update = try processor.book.feed(ticker, timeframe: timeframe, bars: bars) { states.append(update) }
        pendingBars += bars.count
        stored += bars.count
        if !bars.isEmpty { storedBySymbol[ticker, default: 0] += bars.count }
        batches.append(BarBatch(symbol: ticker, timeframe: timeframe, bars: bars))
        try flush(channel, force: false)
    }

    mutating func flush(_ channel: DayFileChannel, force: Bool) throws {
        guard force || pendingBars >= processor.piece || batches.count >= 1_024 else { return }
        if !batches.isEmpty {
            guard channel.send(.bars(batches)) else { throw DecodeWork.Stopped() }
        }
        if !states.isEmpty {
            guard channel.send(.indicatorStates(states)) else { throw DecodeWork.Stopped() }
        }
        batches = []
        states = []
        pendingBars = 0
    }

    /// A decoded row in the file's column order, for the quarantine record.
    static func text(_ row: FlatFileRow) -> String {
        let b = row.bar
        return "\(row.ticker),\(b.volume),\(b.open),\(b.close),\(b.high),\(b.low),\(b.windowStartMs * 1_000_000),"
            + (b.transactions.map(String.init) ?? "")
    }
}
