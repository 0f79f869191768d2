import BackfillCore
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Storage

/// The bulk path for a whole-market day (a flat file): bars stream with `COPY … FROM STDIN` into a
/// temporary staging table, then one `INSERT … SELECT … ON CONFLICT` merges them into `bars_minute`
/// (idempotent: identical rows are left untouched and not counted) and one grouped statement writes
/// the day's ledger rows. The day is cut into parts of about ``Configuration/partBytes`` of COPY
/// text, whole tickers each, and the parts run on several pooled connections at once.
///
/// Each part commits on its own; the coverage mark (the market-wide symbol's day, which also turns
/// the day's ledger rows `complete`) commits only after every part did. So a crash or a failed
/// part never leaves the day marked fetched without its bars, and a re-run rewrites nothing that is
/// already there. Securities new to the store are created first, in one short transaction.
public struct PostgresBulkDay: Sendable {
    public struct Configuration: Sendable {
        /// COPY text per part, in bytes (one part: one connection, one transaction).
        public var partBytes: Int
        /// Parts written at once (connections used).
        public var parallelism: Int

        public init(partBytes: Int = 8 << 20, parallelism: Int = 4) {
            self.partBytes = partBytes
            self.parallelism = parallelism
        }
    }

    public let store: PostgresBarStore
    public var configuration: Configuration

    public init(store: PostgresBarStore, configuration: Configuration = .init()) {
        self.store = store
        self.configuration = configuration
    }

    /// Stores the minute bars of `day` for many tickers, then marks the day complete for the whole
    /// market with `source`.
    /// - Returns: bars received and rows inserted or changed.
    /// - Throws: ``StorageError`` naming the day; the day is then not marked, and what parts did
    ///   commit are rewritten identically (and not counted) by a re-run.
    public func write(day: LocalDate, batches: [BarBatch], source: BarSource = .flatFile) async throws -> WriteOutcome {
        guard let hours = PostgresLedger.calendar.session(on: day) else {
            throw StorageError(.write, "\(day) is not a trading session: no day file to store")
        }
        let ids = try await store.transaction("create the securities of \(day)") { context in
            try await PostgresSecurityBatch(connection: context.connection, logger: context.logger)
                .ids(tickers: batches.map(\.symbol), on: day)
        }
        let parts = try Self.parts(batches, ids: ids, partBytes: configuration.partBytes)
        let changed = try await withThrowingTaskGroup(of: Int.self) { group in
            var next = 0
            var changed = 0
            func addPart() {
                guard next < parts.count else { return }
                let part = parts[next]
                next += 1
                group.addTask { try await self.write(part, day: day, hours: hours, source: source) }
            }
            for _ in 0..<max(1, configuration.parallelism) { addPart() }
            while let count = try await group.next() {
                changed += count
                addPart()
            }
            return changed
        }
        let mark = CoverageMark(
            symbol: BarStoreSymbols.allTickers, timeframe: .minute, range: DayRange(day, day)!, source: source)
        _ = try await store.write([], marking: mark)
        return WriteOutcome(received: batches.reduce(0) { $0 + $1.bars.count }, changed: changed)
    }

    /// One part in one transaction: COPY into staging, merge, ledger. Returns rows changed.
    private func write(_ part: ByteBuffer, day: LocalDate, hours: SessionHours, source: BarSource) async throws -> Int {
        try await store.transaction("store the bars of \(day)") { context in
            let connection = context.connection
            let logger = context.logger
            try await connection.query(
                """
                CREATE TEMPORARY TABLE bulk_staging (
                    security_id bigint NOT NULL, t bigint NOT NULL,
                    o double precision NOT NULL, h double precision NOT NULL, l double precision NOT NULL,
                    c double precision NOT NULL, v double precision NOT NULL, vw double precision, n bigint
                ) ON COMMIT DROP
                """, logger: logger)
            try await connection.copyFrom(table: "bulk_staging", logger: logger) { writer in
                try await writer.write(part)
            }
            var changed = 0
            let rows = try await connection.query(
                """
                WITH written AS (
                    INSERT INTO bars_minute AS b (security_id, t, o, h, l, c, v, vw, n)
                    SELECT security_id, t, o, h, l, c, v, vw, n FROM bulk_staging
                    ON CONFLICT (security_id, t) DO UPDATE SET
                        o = excluded.o, h = excluded.h, l = excluded.l, c = excluded.c,
                        v = excluded.v, vw = excluded.vw, n = excluded.n
                    WHERE (b.o, b.h, b.l, b.c, b.v, b.vw, b.n)
                        IS DISTINCT FROM (excluded.o, excluded.h, excluded.l, excluded.c, excluded.v, excluded.vw, excluded.n)
                    RETURNING 1
                ) SELECT COUNT(*) FROM written
                """, logger: logger)
            for try await count in rows.decode(Int64.self) { changed = Int(count) }
            try await ledger(connection, day: day, hours: hours, source: source, logger: logger)
            return changed
        }
    }

    /// The day's ledger rows of a part's securities: counted from staging when new, recounted from
    /// the table when the session already had a row (as ``PostgresLedger/recordReceived``).
    private func ledger(
        _ connection: PostgresConnection, day: LocalDate, hours: SessionHours, source: BarSource, logger: Logger
    ) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let (pre, post) = (hours.preMarketOpenMs, hours.postMarketCloseMs)
        let (open, close) = (hours.regularOpenMs, hours.regularCloseMs)
        try await connection.query(
            """
            INSERT INTO ledger AS g (security_id, session, expected, received, regular, status, source, updated_ms)
            SELECT security_id, \(day.description)::date, \(PostgresLedger.expectedMinutes(hours)),
                COUNT(*) FILTER (WHERE t >= \(pre) AND t < \(post)),
                COUNT(*) FILTER (WHERE t >= \(open) AND t < \(close)), 'partial', \(source.rawValue), \(now)
            FROM bulk_staging GROUP BY security_id
            HAVING COUNT(*) FILTER (WHERE t >= \(pre) AND t < \(post)) > 0
            ON CONFLICT (security_id, session) DO UPDATE SET
                received = (SELECT COUNT(*) FROM bars_minute WHERE security_id = g.security_id
                    AND t >= \(pre) AND t < \(post)),
                regular = (SELECT COUNT(*) FROM bars_minute WHERE security_id = g.security_id
                    AND t >= \(open) AND t < \(close)),
                updated_ms = excluded.updated_ms
            """, logger: logger)
    }

    /// COPY text parts of about `partBytes`, whole tickers each (a ticker's rows never straddle two
    /// parts, so no statement meets one key twice).
    static func parts(_ batches: [BarBatch], ids: [String: Int64], partBytes: Int) throws -> [ByteBuffer] {
        var parts: [ByteBuffer] = []
        var buffer = ByteBuffer()
        buffer.reserveCapacity(partBytes + 64 << 10)
        for batch in batches {
            guard let id = ids[batch.symbol] else {
                throw StorageError(.write, "no security was created for \(batch.symbol)")
            }
            try CopyText.append(batch.bars, securityID: id, to: &buffer)
            if buffer.readableBytes >= partBytes {
                parts.append(buffer)
                buffer = ByteBuffer()
                buffer.reserveCapacity(partBytes + 64 << 10)
            }
        }
        if buffer.readableBytes > 0 { parts.append(buffer) }
        return parts
    }
}

/// Rows in COPY's text format: tab-separated, `\N` for NULL, one line per bar.
enum CopyText {
    /// Appends one security's bars (a minute repeated keeps its last bar).
    /// - Throws: ``StorageError`` for a non-finite price or volume.
    static func append(_ bars: [Bar], securityID: Int64, to buffer: inout ByteBuffer) throws {
        let sorted = zip(bars, bars.dropFirst()).allSatisfy { $0.windowStartMs < $1.windowStartMs }
        let unique = sorted ? bars : PostgresBarWriter.lastPerMinute(bars)
        let id = String(securityID)
        for bar in unique {
            guard bar.open.isFinite, bar.high.isFinite, bar.low.isFinite, bar.close.isFinite, bar.volume.isFinite else {
                throw StorageError(.write, "bar at \(bar.windowStartMs) has a non-finite price or volume")
            }
            buffer.writeString(id)
            buffer.writeInteger(UInt8(ascii: "\t"))
            buffer.writeString(String(bar.windowStartMs))
            for value in [bar.open, bar.high, bar.low, bar.close, bar.volume] {
                buffer.writeInteger(UInt8(ascii: "\t"))
                buffer.writeString(value.description)
            }
            buffer.writeInteger(UInt8(ascii: "\t"))
            if let vwap = bar.vwap, vwap.isFinite {
                buffer.writeString(vwap.description)
            } else {
                buffer.writeString("\\N")
            }
            buffer.writeInteger(UInt8(ascii: "\t"))
            if let trades = bar.transactions { buffer.writeString(String(trades)) } else { buffer.writeString("\\N") }
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
    }
}
