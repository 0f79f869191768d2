import BackfillCore
import Foundation
import Logging
import PostgresNIO
import Storage

/// The writes of one transaction: bar upserts, the completeness ledger and coverage, with the
/// SQLite store's semantics (identical rows are left untouched and not counted; a completed range
/// marks its sessions complete in the ledger).
struct PostgresBarWriter {
    let connection: PostgresConnection
    let logger: Logger
    /// The bar tables are TimescaleDB hypertables: a write first decompresses the chunks it touches
    /// (see ``PostgresTimescale``).
    var timescale = false

    var securities: PostgresSecurities { PostgresSecurities(connection: connection, logger: logger) }

    /// Upserts a batch's bars under the security the ticker named on each bar's day; returns rows
    /// inserted or changed.
    func upsert(_ batch: BarBatch, source: BarSource) async throws -> Int {
        let table = try PostgresSchema.table(for: batch.timeframe)
        var changed = 0
        for (id, bars) in try await securities.runs(ticker: batch.symbol, bars: batch.bars) {
            changed += try await upsert(table: table, securityID: id, bars: bars)
            if table == "bars_minute" {
                try await PostgresLedger(connection: connection, logger: logger)
                    .recordReceived(securityID: id, bars: bars, source: source)
            }
        }
        return changed
    }

    /// One statement per security: the bars go as eight arrays through `unnest` (one round trip
    /// whatever the count). A minute sent twice in one batch is stored once, the last one winning,
    /// as SQLite's row-by-row upsert does (PostgreSQL refuses to update one row twice in a statement).
    func upsert(table: String, securityID: Int64, bars: [Bar]) async throws -> Int {
        guard !bars.isEmpty else { return 0 }
        let columns = try BarColumns(Self.lastPerMinute(bars))
        if timescale, let first = columns.t.min(), let last = columns.t.max() {
            var decompress = PostgresQuery(unsafeSQL: PostgresTimescale.decompressSQL(table: table))
            decompress.binds.append(first)
            decompress.binds.append(last)
            try await connection.query(decompress, logger: logger)
        }
        let rows = try await connection.query(
            """
            WITH input AS (
                SELECT * FROM unnest(\(columns.t)::bigint[], \(columns.o)::float8[], \(columns.h)::float8[],
                    \(columns.l)::float8[], \(columns.c)::float8[], \(columns.v)::float8[], \(columns.vw)::float8[],
                    \(columns.n)::bigint[]) AS u(t, o, h, l, c, v, vw, n)
            ), written AS (
                INSERT INTO \(unescaped: table) AS b (security_id, t, o, h, l, c, v, vw, n)
                SELECT \(securityID), t, o, h, l, c, v, NULLIF(vw, 'NaN'::float8), NULLIF(n, -1) FROM input
                \(unescaped: Self.upsertChanged)
            ) SELECT COUNT(*) FROM written
            """, logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// The tail of an `INSERT INTO … AS b`: replaces a stored bar only when a value differs and
    /// returns a row per bar inserted or changed (so `changed` counts real changes only).
    static let upsertChanged = """
        ON CONFLICT (security_id, t) DO UPDATE SET
            o = excluded.o, h = excluded.h, l = excluded.l, c = excluded.c,
            v = excluded.v, vw = excluded.vw, n = excluded.n
        WHERE (b.o, b.h, b.l, b.c, b.v, b.vw, b.n)
            IS DISTINCT FROM (excluded.o, excluded.h, excluded.l, excluded.c, excluded.v, excluded.vw, excluded.n)
        RETURNING 1
        """

    static func lastPerMinute(_ bars: [Bar]) -> [Bar] {
        var seen = Set<Int64>()
        var unique: [Bar] = []
        unique.reserveCapacity(bars.count)
        for bar in bars.reversed() where seen.insert(bar.windowStartMs).inserted { unique.append(bar) }
        return unique.reversed()
    }

    /// Records `range` as fetched whole (merged into the security's ranges) and marks its sessions
    /// complete in the ledger — for every security when `securityID` is the market-wide symbol's.
    ///
    /// The security's row is locked first (`FOR NO KEY UPDATE`, which foreign-key checks do not
    /// wait for): two transactions merging ranges of one security at once (FB's and META's chunks,
    /// one security after a rename) would otherwise each read the ranges without the other's and
    /// leave them unmerged. Callers create securities before this, never after, so the creation
    /// lock and these row locks are always taken in the same order.
    func addCoverage(securityID: Int64, timeframe: Timeframe, range: DayRange, source: BarSource) async throws {
        try await connection.query(
            "SELECT 1 FROM securities WHERE id = \(securityID) FOR NO KEY UPDATE", logger: logger)
        if timeframe == .minute {
            let market = try await securities.market()
            try await PostgresLedger(connection: connection, logger: logger)
                .markComplete(securityID: market == securityID ? nil : securityID, range: range, source: source)
        }
        let existing = try await PostgresReads.ranges(connection, securityID: securityID, timeframe: timeframe, logger)
        let merged = DayRange.merged(existing + [range])
        guard merged != existing else { return }
        try await connection.query(
            "DELETE FROM coverage WHERE security_id = \(securityID) AND timeframe = \(timeframe.description)",
            logger: logger)
        try await connection.query(
            """
            INSERT INTO coverage (security_id, timeframe, first_day, last_day)
            SELECT \(securityID), \(timeframe.description), f::date, l::date
            FROM unnest(\(merged.map(\.first.description))::text[], \(merged.map(\.last.description))::text[]) AS u(f, l)
            """, logger: logger)
    }
}

extension PostgresBarWriter {
    /// First key of the per-security coverage lock (`pg_advisory_xact_lock(int, int)`): "Cove".
}

/// A bar batch as columns for `unnest`. Absent VWAPs travel as NaN and absent trade counts as −1
/// (arrays of optionals are not encodable); the statement turns both back into NULL.
struct BarColumns {
    var t: [Int64] = []
    var o: [Double] = []
    var h: [Double] = []
    var l: [Double] = []
    var c: [Double] = []
    var v: [Double] = []
    var vw: [Double] = []
    var n: [Int64] = []

    /// - Throws: ``StorageError`` for a non-finite price or volume (nothing of the batch is stored).
    init(_ bars: [Bar]) throws {
        for bar in bars {
            guard bar.open.isFinite, bar.high.isFinite, bar.low.isFinite, bar.close.isFinite, bar.volume.isFinite else {
                throw StorageError(.write, "bar at \(bar.windowStartMs) has a non-finite price or volume")
            }
            t.append(bar.windowStartMs)
            o.append(bar.open)
            h.append(bar.high)
            l.append(bar.low)
            c.append(bar.close)
            v.append(bar.volume)
            vw.append(bar.vwap.flatMap { $0.isFinite ? $0 : nil } ?? .nan)
            n.append(bar.transactions ?? -1)
        }
    }
}
