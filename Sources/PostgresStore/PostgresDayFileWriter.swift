import BackfillCore
import Dispatch
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Storage

/// One day file inside one transaction (``PostgresBarStore/writeDayFile(_:)``): each piece's bars
/// go by `COPY` (``PostgresBulkDay/copy(_:into:_:logger:)``: straight into the bar table when
/// they are all new, else through a staging table and an idempotent merge) with their ledger
/// rows; then indicator states, coverage, quarantined rows and the task, as the SQLite store does.
///
/// Securities new to the store are created in a short transaction of their own on another pooled
/// connection (as the bulk day path does), so a long day file does not hold the creation lock that
/// every other writer needs; a day file rolled back leaves at most such empty securities, which
/// the next run reuses.
struct PostgresDayFileWriter {
    let store: PostgresBarStore
    let context: PostgresWriteContext
    /// A day file holds one day: each ticker resolves once, to the security it named that day.
    private var ids: [String: Int64] = [:]
    private(set) var outcome = WriteOutcome(received: 0, changed: 0)

    init(store: PostgresBarStore, context: PostgresWriteContext) {
        self.store = store
        self.context = context
    }

    mutating func write(_ batches: [BarBatch]) async throws {
        let batches = batches.filter { !$0.bars.isEmpty }
        guard !batches.isEmpty else { return }
        try await resolve(batches.map { ($0.symbol, $0.bars[0].windowStartMs) })
        for timeframe in Set(batches.map(\.timeframe)).sorted(by: { $0.description < $1.description }) {
            let table = try PostgresSchema.table(for: timeframe)
            let group = batches.filter { $0.timeframe == timeframe }
            let day = EasternTime.date(containing: group[0].bars[0].windowStartMs)
            let hours = timeframe == .minute ? LedgerCounting.calendar.session(on: day) : nil
            let part = try PostgresBulkDay.part(group, ids: ids, hours: hours)
            outcome.changed += try await PostgresBulkDay.copy(
                part, into: table, context.connection, logger: context.logger)
            outcome.received += group.reduce(0) { $0 + $1.bars.count }
            if let hours {
                try await PostgresBulkDay.ledger(
                    part, context.connection, day: day, hours: hours, source: .flatFile, logger: context.logger)
            }
        }
    }

    /// Saves the states in one statement, each under the security its symbol named at its last bar.
    mutating func save(_ states: [IndicatorStateUpdate]) async throws {
        guard !states.isEmpty else { return }
        try await resolve(states.map { ($0.symbol, $0.lastMs) })
        var latest: [String: IndicatorStateUpdate] = [:]
        for state in states { latest["\(ids[state.symbol] ?? 0) \(state.timeframe)"] = state }
        let unique = Array(latest.values)
        try await context.connection.query(
            """
            INSERT INTO indicator_state (security_id, timeframe, last_t, state)
            SELECT * FROM unnest(\(unique.map { ids[$0.symbol] ?? 0 })::bigint[],
                \(unique.map(\.timeframe.description))::text[], \(unique.map(\.lastMs))::bigint[],
                \(unique.map { ByteBuffer(bytes: $0.state) })::bytea[])
            ON CONFLICT (security_id, timeframe) DO UPDATE SET last_t = excluded.last_t, state = excluded.state
            """, logger: context.logger)
    }

    /// Coverage of every mark, the quarantined rows and the task, last in the transaction.
    /// Every mark's security is found (or created) before any coverage is written, so this
    /// transaction takes the creation lock before coverage's row locks, as every writer does.
    mutating func finish(_ completion: DayFileCompletion) async throws {
        var securities: [Int64] = []
        for mark in completion.marks {
            if mark.symbol == BarStoreSymbols.allTickers {
                securities.append(try await context.securities.id(ticker: mark.symbol))
            } else if let known = ids[mark.symbol] {
                securities.append(known)
            } else {
                let security = try await context.securities.id(ticker: mark.symbol)
                ids[mark.symbol] = security
                securities.append(security)
            }
        }
        for (mark, security) in zip(completion.marks, securities) {
            try await context.writer.addCoverage(
                securityID: security, timeframe: mark.timeframe, range: mark.range, source: mark.source)
        }
        try await PostgresTaskRows(context: context).insert(completion.quarantined)
        try await PostgresTaskRows(context: context).save(completion.task)
    }

    /// Finds (or creates) the security of every ticker not seen yet in this file, on the day of its
    /// first bar.
    private mutating func resolve(_ tickers: [(String, Int64)]) async throws {
        var byDay: [LocalDate: Set<String>] = [:]
        for (ticker, ms) in tickers where ids[ticker] == nil {
            byDay[EasternTime.date(containing: ms), default: []].insert(ticker)
        }
        for (day, names) in byDay.sorted(by: { $0.key < $1.key }) {
            let unknown = names.filter { ids[$0] == nil }.sorted()
            guard !unknown.isEmpty else { continue }
            let found: [String: Int64]
            if store.settings.maximumConnections > 1 {
                found = try await store.transaction("create the securities of \(day)") { other in
                    try await PostgresSecurityBatch(connection: other.connection, logger: other.logger)
                        .ids(tickers: unknown, on: day)
                }
            } else {  // one connection only: create inside the day file's transaction
                found = try await PostgresSecurityBatch(connection: context.connection, logger: context.logger)
                    .ids(tickers: unknown, on: day)
            }
            ids.merge(found) { $1 }
        }
    }
}

/// Pulls a day file's pieces without blocking the cooperative pool: ``DayFileFeed/next()`` waits
/// on a condition until the decoder hands over a piece, so each call runs on a queue of its own.
struct DayFilePump: Sendable {
    let feed: any DayFileFeed
    private let queue = DispatchQueue(label: "backfill.postgres.day-file")

    init(_ feed: any DayFileFeed) {
        self.feed = feed
    }

    func next() async throws -> DayFilePiece {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try feed.next() }) }
        }
    }
}
