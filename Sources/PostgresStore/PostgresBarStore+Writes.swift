import NIOCore
import BackfillCore
import Foundation
import PostgresNIO
import Storage

extension PostgresBarStore {
    public func write(_ batch: BarBatch, covering range: DayRange?) async throws -> WriteOutcome {
        _ = try PostgresSchema.table(for: batch.timeframe)
        return try await transaction("store \(batch.bars.count) \(batch.timeframe) bars of \(batch.symbol)") {
            context in
            let changed = try await context.writer.upsert(batch, source: .rest)
            if let range {
                let id = try await context.securities.id(ticker: batch.symbol, on: range.last)
                try await context.writer.addCoverage(
                    securityID: id, timeframe: batch.timeframe, range: range, source: .rest)
            }
            return WriteOutcome(received: batch.bars.count, changed: changed)
        }
    }

    public func write(_ batches: [BarBatch], marking mark: CoverageMark?) async throws -> WriteOutcome {
        try await write(batches, marking: mark, source: mark?.source ?? .live)
    }

    public func write(_ batches: [BarBatch], source: BarSource) async throws -> WriteOutcome {
        try await write(batches, marking: nil, source: source)
    }

    private func write(_ batches: [BarBatch], marking mark: CoverageMark?, source: BarSource) async throws
        -> WriteOutcome
    {
        for batch in batches { _ = try PostgresSchema.table(for: batch.timeframe) }
        return try await transaction("store bars of \(batches.count) symbols") { [self] context in
            var outcome = WriteOutcome(received: 0, changed: 0)
            for batch in batches {
                outcome.changed += try await context.writer.upsert(batch, source: source)
                outcome.received += batch.bars.count
            }
            if let mark {
                let id = try await context.securities.id(ticker: mark.symbol)
                try await context.writer.addCoverage(
                    securityID: id, timeframe: mark.timeframe, range: mark.range, source: mark.source)
            }
            return outcome
        }
    }

    public func saveIndicatorState(symbol: String, timeframe: Timeframe, lastMs: Int64, state: [UInt8]) async throws {
        let bytes = ByteBuffer(bytes: state)
        try await transaction("save the indicator state of \(symbol) \(timeframe)") { [self] context in
            let id = try await context.securities.id(ticker: symbol)
            try await context.connection.query(
                """
                INSERT INTO indicator_state (security_id, timeframe, last_t, state)
                VALUES (\(id), \(timeframe.description), \(lastMs), \(bytes))
                ON CONFLICT (security_id, timeframe) DO UPDATE SET last_t = excluded.last_t, state = excluded.state
                """, logger: context.logger)
        }
    }

    public func recordRun(_ run: RunRecord) async throws {
        let errors = String(decoding: try JSONEncoder().encode(run.errors), as: UTF8.self)
        try await transaction("record the run") { [self] context in
            try await context.connection.query(
                """
                INSERT INTO runs (started_at_ms, finished_at_ms, status, tickers, bars_received, bars_changed,
                                  requests, errors, report)
                VALUES (\(run.startedAtMs), \(run.finishedAtMs), \(run.status), \(run.tickers.joined(separator: ",")),
                    \(run.barsReceived), \(run.barsChanged), \(run.requests), \(errors), \(run.report))
                """, logger: context.logger)
        }
    }
}
