import BackfillCore
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Storage

/// The bulk path for a whole-market day (a flat file): bars stream with a binary `COPY … FROM
/// STDIN` straight into `bars_minute`, or, when some are stored already, into a temporary staging
/// table that one `INSERT … SELECT … ON CONFLICT` merges (idempotent: identical rows are left
/// untouched and not counted); one grouped statement writes the day's ledger rows. The day is cut
/// into parts of about ``Configuration/partBytes`` of COPY data, whole tickers each, and the parts
/// run on several pooled connections at once.
///
/// Each part commits on its own; the coverage mark (the market-wide symbol's day, which also turns
/// the day's ledger rows `complete`) commits only after every part did. So a crash or a failed
/// part never leaves the day marked fetched without its bars, and a re-run rewrites nothing that is
/// already there. Securities new to the store are created first, in one short transaction.
public struct PostgresBulkDay: Sendable {
    public struct Configuration: Sendable {
        /// COPY data per part, in bytes (one part: one connection, one transaction).
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
        guard let hours = LedgerCounting.calendar.session(on: day) else {
            throw StorageError(.write, "\(day) is not a trading session: no day file to store")
        }
        let ids = try await store.transaction("create the securities of \(day)") { [self] context in
            try await PostgresSecurityBatch(connection: context.connection, logger: context.logger)
                .ids(tickers: batches.map(\.symbol), on: day)
        }
        // Each task formats its own part, so formatting overlaps the server's work on other parts.
        let groups = Self.groups(batches, partBytes: configuration.partBytes)
        let changed = try await withThrowingTaskGroup(of: Int.self) { group in
            var next = 0
            var changed = 0
            func addPart() {
                guard next < groups.count else { return }
                let slice = Array(batches[groups[next]])
                next += 1
                group.addTask {
                    let part = try Self.part(slice, ids: ids, hours: hours)
                    return try await self.write(part, day: day, hours: hours, source: source)
                }
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

    /// One part in one transaction: its bars (``copy(_:into:_:logger:)``), then the ledger.
    /// Returns rows changed.
    private func write(_ part: Part, day: LocalDate, hours: SessionHours, source: BarSource) async throws -> Int {
        try await store.transaction("store the bars of \(day)") { context in
            let changed = try await Self.copy(part, into: "bars_minute", context.connection, logger: context.logger)
            try await Self.ledger(
                part, context.connection, day: day, hours: hours, source: source, logger: context.logger)
            return changed
        }
    }

    static let columns = ["security_id", "t", "o", "h", "l", "c", "v", "vw", "n"]

    /// A part's rows into `table` inside the caller's transaction. Fast path: `COPY` straight into
    /// the table (what `psql` does), valid when none of the part's keys is stored yet — all rows
    /// are then new. A key already present stops that COPY with a unique violation; the
    /// transaction rolls back to its savepoint and the part takes the merge path: COPY into a
    /// staging table, then `INSERT … SELECT … ON CONFLICT … WHERE IS DISTINCT FROM`.
    /// Returns rows inserted or changed.
    static func copy(_ part: Part, into table: String, _ connection: PostgresConnection, logger: Logger)
        async throws -> Int
    {
        try await connection.query("SAVEPOINT bulk_fast", logger: logger)
        var changed = part.rows
        do {
            try await connection.copyFrom(table: CopyBinary.target(table, Self.columns), logger: logger) { writer in
                try await writer.write(part.data)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            try await connection.query("ROLLBACK TO SAVEPOINT bulk_fast", logger: logger)
            changed = try await merge(part, into: table, connection, logger: logger)
        }
        try await connection.query("RELEASE SAVEPOINT bulk_fast", logger: logger)
        return changed
    }

    /// The merge path: staging table, then an idempotent upsert. Returns rows inserted or changed.
    private static func merge(_ part: Part, into table: String, _ connection: PostgresConnection, logger: Logger)
        async throws -> Int
    {
        try await connection.query(
            """
            CREATE TEMPORARY TABLE IF NOT EXISTS bulk_staging (
                security_id bigint NOT NULL, t bigint NOT NULL,
                o double precision NOT NULL, h double precision NOT NULL, l double precision NOT NULL,
                c double precision NOT NULL, v double precision NOT NULL, vw double precision, n bigint
            ) ON COMMIT DELETE ROWS
            """, logger: logger)
        try await connection.copyFrom(table: CopyBinary.target("bulk_staging", Self.columns), logger: logger) {
            writer in
            try await writer.write(part.data)
        }
        let rows = try await connection.query(
            """
            WITH written AS (
                INSERT INTO \(unescaped: table) AS b (security_id, t, o, h, l, c, v, vw, n)
                SELECT security_id, t, o, h, l, c, v, vw, n FROM bulk_staging
                \(unescaped: PostgresBarWriter.upsertChanged)
            ) SELECT COUNT(*) FROM written
            """, logger: logger)
        var changed = 0
        for try await count in rows.decode(Int64.self) { changed = Int(count) }
        // A transaction may merge several parts (a day file's pieces): each merges only its own rows.
        try await connection.query("TRUNCATE bulk_staging", logger: logger)
        return changed
    }

    /// The day's ledger rows of a part's securities, from the counts taken while the part was
    /// built: the batch's counts when the session is new to the ledger, else recounted from the
    /// table (as ``PostgresLedger/recordReceived``).
    static func ledger(
        _ part: Part, _ connection: PostgresConnection, day: LocalDate, hours: SessionHours, source: BarSource,
        logger: Logger
    ) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let (pre, post) = (hours.preMarketOpenMs, hours.postMarketCloseMs)
        let (open, close) = (hours.regularOpenMs, hours.regularCloseMs)
        try await connection.query(
            """
            INSERT INTO ledger AS g (security_id, session, expected, received, regular, status, source, updated_ms)
            SELECT id, \(day.description)::date, \(LedgerCounting.expectedMinutes(hours)), received, regular,
                'partial', \(source.rawValue), \(now)
            FROM unnest(\(part.ids)::bigint[], \(part.received)::int[], \(part.regular)::int[])
                AS u(id, received, regular)
            WHERE received > 0
            ON CONFLICT (security_id, session) DO UPDATE SET
                received = (SELECT COUNT(*) FROM bars_minute WHERE security_id = g.security_id
                    AND t >= \(pre) AND t < \(post)),
                regular = (SELECT COUNT(*) FROM bars_minute WHERE security_id = g.security_id
                    AND t >= \(open) AND t < \(close)),
                updated_ms = excluded.updated_ms
            """, logger: logger)
    }

    /// A part: binary COPY data of whole tickers, and per security its minutes in the session.
    struct Part: Sendable {
        var data = ByteBuffer()
        var rows = 0
        var ids: [Int64] = []
        var received: [Int32] = []
        var regular: [Int32] = []
    }

    /// Runs of whole tickers of about `partBytes` of COPY data each (a ticker's rows never
    /// straddle two parts, so no statement meets one key twice).
    static func groups(_ batches: [BarBatch], partBytes: Int) -> [Range<Int>] {
        var groups: [Range<Int>] = []
        var start = 0
        var bytes = 0
        for (index, batch) in batches.enumerated() {
            bytes += batch.bars.count * CopyBinary.rowBytes
            if bytes >= partBytes {
                groups.append(start..<(index + 1))
                start = index + 1
                bytes = 0
            }
        }
        if start < batches.count { groups.append(start..<batches.count) }
        return groups
    }

    /// One part's COPY data and per-security session counts.
    static func part(_ batches: [BarBatch], ids: [String: Int64], hours: SessionHours?) throws -> Part {
        var part = Part()
        part.data.reserveCapacity(batches.reduce(0) { $0 + $1.bars.count } * CopyBinary.rowBytes + 32)
        CopyBinary.appendHeader(to: &part.data)
        for batch in batches {
            guard let id = ids[batch.symbol] else {
                throw StorageError(.write, "no security was created for \(batch.symbol)")
            }
            let counts = try CopyBinary.append(batch.bars, securityID: id, to: &part.data, hours: hours)
            part.rows += counts.rows
            part.ids.append(id)
            part.received.append(Int32(counts.received))
            part.regular.append(Int32(counts.regular))
        }
        CopyBinary.appendTrailer(to: &part.data)
        return part
    }
}
