import BackfillCore
import Foundation
import GRDB
import Logging

/// The embedded default store: one SQLite file in WAL mode, written in one transaction per batch.
public final class SQLiteBarStore: BarStore {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// - Throws: ``StorageError`` naming the path when it cannot be opened or migrated.
    public init(path: String, logger: Logger? = nil) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            // 32 MB of page cache per connection keeps the bar tables' upper B-tree levels in memory
            // while a day file inserts into thousands of places.
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768;")
        }
        do {
            try Self.createWithLargePages(path)
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StorageError(.cannotOpen, "cannot open the SQLite database at '\(path)'", underlying: error)
        }
        do {
            try SQLiteSchema.migrator().migrate(pool)
        } catch {
            throw StorageError(.migration, "cannot migrate the SQLite database at '\(path)'", underlying: error)
        }
        logger?.debug("opened SQLite store", metadata: [MetadataKey.database: "\(path)"])
    }

    /// A new database gets 16 KB pages (SQLite's default is 4 KB): bar rows are small and written in
    /// long sorted runs, and bigger pages make a day file's upserts about 10% faster. The page size
    /// can only be chosen before the first table and before WAL mode, hence this step before the pool.
    static func createWithLargePages(_ path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA page_size = 16384; VACUUM; PRAGMA journal_mode = WAL;")
        }
        try queue.close()
    }

    public func write(_ batch: BarBatch, covering range: DayRange?) async throws -> WriteOutcome {
        let table = try SQLiteSchema.table(for: batch.timeframe)
        do {
            return try await pool.write { db in
                var changed = 0
                for (id, bars) in try Self.securityRuns(db, ticker: batch.symbol, bars: batch.bars) {
                    changed += try Self.upsert(db, table: table, securityID: id, bars: bars, source: .rest)
                }
                if let range {
                    let id = try Self.securityID(db, ticker: batch.symbol, on: range.last)
                    try Self.addCoverage(db, securityID: id, timeframe: batch.timeframe, range: range)
                }
                return WriteOutcome(received: batch.bars.count, changed: changed)
            }
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(
                .write, "cannot store \(batch.bars.count) \(batch.timeframe) bars of \(batch.symbol) in '\(path)'",
                underlying: error)
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
        let tables = try batches.map { try SQLiteSchema.table(for: $0.timeframe) }
        do {
            return try await pool.write { db in
                var outcome = WriteOutcome(received: 0, changed: 0)
                for (batch, table) in zip(batches, tables) {
                    // By the bars' dates: a day file's reused ticker goes to the security it named that day.
                    for (id, bars) in try Self.securityRuns(db, ticker: batch.symbol, bars: batch.bars) {
                        outcome.changed += try Self.upsert(
                            db, table: table, securityID: id, bars: bars, source: source)
                    }
                    outcome.received += batch.bars.count
                }
                if let mark {
                    let id = try Self.securityID(db, ticker: mark.symbol)
                    try Self.addCoverage(
                        db, securityID: id, timeframe: mark.timeframe, range: mark.range, source: mark.source)
                }
                return outcome
            }
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.write, "cannot store bars of \(batches.count) symbols in '\(path)'", underlying: error)
        }
    }

    /// The security `ticker` names now (or named last), created with an open-ended name when the
    /// ticker is new. Cheap: one indexed lookup through a cached prepared statement.
    static func securityID(_ db: Database, ticker: String) throws -> Int64 {
        try securityID(db, ticker: ticker, on: nil)
    }

    /// The security `ticker` named on `day` (its name interval contains the day); a new one when every
    /// holder stopped using the ticker more than ``reuseGraceDays`` before `day` (a reused ticker);
    /// else the one it names now or named last; created when the ticker is unknown.
    static func securityID(_ db: Database, ticker: String, on day: LocalDate?) throws -> Int64 {
        if let day {
            if let id = try datedSecurityID(db, ticker: ticker, on: day) { return id }
            if try endedBefore(db, ticker: ticker, day: day) {
                return try newSecurity(db, ticker: ticker)  // a delisted ticker reused by another company
            }
        }
        if let id = try currentSecurityID(db, ticker: ticker) { return id }
        return try newSecurity(db, ticker: ticker)
    }

    /// Days after a holder's last day during which its ticker still resolves to it (delisting dates
    /// are reported a day early or late); a ticker reused later than that is a new security.
    static let reuseGraceDays = 5

    /// Whether `ticker` has holders and every one stopped using it well before `day`.
    private static func endedBefore(_ db: Database, ticker: String, day: LocalDate) throws -> Bool {
        let statement = try db.cachedStatement(
            sql: """
                SELECT COUNT(*), COUNT(CASE WHEN last_day IS NULL OR last_day >= ?1 THEN 1 END)
                FROM ticker_names WHERE ticker = ?2
                """)
        guard let row = try Row.fetchOne(statement, arguments: [day.adding(days: -reuseGraceDays).description, ticker])
        else { return false }
        return (row[0] as Int) > 0 && (row[1] as Int) == 0
    }

    private static func newSecurity(_ db: Database, ticker: String) throws -> Int64 {
        try db.cachedStatement(sql: "INSERT INTO securities (ticker) VALUES (?)").execute(arguments: [ticker])
        let id = db.lastInsertedRowID
        try db.cachedStatement(
            sql: """
                INSERT INTO ticker_names (ticker, security_id, first_day, last_day, from_ms, until_ms)
                VALUES (?, ?, NULL, NULL, ?, ?)
                """
        ).execute(arguments: [ticker, id, SQLiteSchema.openFromMs, SQLiteSchema.openUntilMs])
        return id
    }

    /// Like ``securityID(_:ticker:on:)`` without creating anything.
    static func existingSecurityID(_ db: Database, ticker: String, on day: LocalDate?) throws -> Int64? {
        if let day, let id = try datedSecurityID(db, ticker: ticker, on: day) { return id }
        return try currentSecurityID(db, ticker: ticker)
    }

    /// The holder whose name interval contains `day`.
    private static func datedSecurityID(_ db: Database, ticker: String, on day: LocalDate) throws -> Int64? {
        let statement = try db.cachedStatement(
            sql: """
                SELECT security_id FROM ticker_names WHERE ticker = ?2
                    AND (first_day IS NULL OR first_day <= ?1) AND (last_day IS NULL OR last_day >= ?1)
                ORDER BY last_day IS NULL DESC, last_day DESC, first_day DESC LIMIT 1
                """)
        return try Int64.fetchOne(statement, arguments: [day.description, ticker])
    }

    /// The holder using the ticker now, else the one that used it last.
    private static func currentSecurityID(_ db: Database, ticker: String) throws -> Int64? {
        let statement = try db.cachedStatement(
            sql: """
                SELECT security_id FROM ticker_names WHERE ticker = ?
                ORDER BY last_day IS NULL DESC, last_day DESC, first_day DESC LIMIT 1
                """)
        return try Int64.fetchOne(statement, arguments: [ticker])
    }

    /// A batch's bars split by the security the ticker named on each bar's date: one run in the
    /// usual case, several when a chunk spans a reused ticker's change of holder.
    static func securityRuns(_ db: Database, ticker: String, bars: [Bar]) throws -> [(Int64, [Bar])] {
        guard let first = bars.first, let last = bars.last else { return [] }
        let firstDay = EasternTime.date(containing: first.windowStartMs)
        let lastDay = EasternTime.date(containing: last.windowStartMs)
        let firstID = try securityID(db, ticker: ticker, on: firstDay)
        // One day (a flat-file or grouped-daily batch) is one lookup.
        guard lastDay != firstDay, try securityID(db, ticker: ticker, on: lastDay) != firstID else {
            return [(firstID, bars)]
        }
        var byDay: [Int: Int64] = [:]
        var runs: [(Int64, [Bar])] = []
        for bar in bars {
            let day = EasternTime.date(containing: bar.windowStartMs)
            let id = try byDay[day.daysSinceEpoch] ?? securityID(db, ticker: ticker, on: day)
            byDay[day.daysSinceEpoch] = id
            if runs.last?.0 == id { runs[runs.count - 1].1.append(bar) } else { runs.append((id, [bar])) }
        }
        return runs
    }

    /// Inserts new bars and updates bars whose values differ; identical ones are left untouched.
    /// Minute bars go into their days' blocks (``SQLiteMinuteBlocks``) and update the completeness
    /// ledger of the sessions they touch.
    static func upsert(
        _ db: Database, table: String, securityID: Int64, bars: [Bar], source: BarSource = .rest
    ) throws -> Int {
        if table == "bars_minute" {
            return try SQLiteMinuteBlocks.write(db, securityID: securityID, bars: bars, source: source)
        }
        return try BarUpsertStatement.upsert(db, table: table, securityID: securityID, bars: bars)
    }

    /// Records `range` as fetched whole (merged into the security's ranges) and marks its sessions
    /// complete in the ledger — for every security when `securityID` is the market-wide symbol's.
    static func addCoverage(
        _ db: Database, securityID: Int64, timeframe: Timeframe, range: DayRange, source: BarSource = .rest
    ) throws {
        if timeframe == .minute {
            let market = try SQLiteLedger.marketSecurityID(db)
            try SQLiteLedger.markComplete(
                db, securityID: market == securityID ? nil : securityID, range: range, source: source)
        }
        let existing = try ranges(db, securityID: securityID, timeframe: timeframe)
        let merged = DayRange.merged(existing + [range])
        guard merged != existing else { return }
        try db.execute(
            sql: "DELETE FROM coverage WHERE security_id = ? AND timeframe = ?",
            arguments: [securityID, timeframe.description])
        for range in merged {
            try db.execute(
                sql: "INSERT INTO coverage (security_id, timeframe, first_day, last_day) VALUES (?, ?, ?, ?)",
                arguments: [securityID, timeframe.description, range.first.description, range.last.description])
        }
    }

    static func ranges(_ db: Database, securityID: Int64, timeframe: Timeframe) throws -> [DayRange] {
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT first_day, last_day FROM coverage WHERE security_id = ? AND timeframe = ? ORDER BY first_day",
            arguments: [securityID, timeframe.description])
        return rows.compactMap { row in
            guard let first = LocalDate(row[0] as String), let last = LocalDate(row[1] as String) else { return nil }
            return DayRange(first, last)
        }
    }

    public func coverage(symbol: String, timeframe: Timeframe) async throws -> [DayRange] {
        try await read("coverage of \(symbol) \(timeframe)") { db in
            guard let id = try Self.existingSecurityID(db, ticker: symbol, on: nil) else { return [] }
            return try Self.ranges(db, securityID: id, timeframe: timeframe)
        }
    }

    public func coverageForPlanning(symbol: String, timeframe: Timeframe) async throws -> [DayRange] {
        try await read("coverage of \(symbol) \(timeframe)") { db in
            guard let id = try Self.existingSecurityID(db, ticker: symbol, on: nil) else { return [] }
            var ranges = try Self.ranges(db, securityID: id, timeframe: timeframe)
            if let row = try Row.fetchOne(
                db, sql: "SELECT first_day, last_day FROM ticker_names WHERE security_id = ? AND ticker = ?",
                arguments: [id, symbol])
            {
                if let first = (row[0] as String?).flatMap({ LocalDate($0) }),
                    let before = DayRange(Self.dawn, first.adding(days: -1))
                {
                    ranges.append(before)
                }
                if let last = (row[1] as String?).flatMap({ LocalDate($0) }),
                    let after = DayRange(last.adding(days: 1), Self.dusk)
                {
                    ranges.append(after)
                }
            }
            return DayRange.merged(ranges)
        }
    }

    /// Bounds of "before the ticker existed" and "after it stopped" for planning.
    static let dawn = LocalDate(year: 1900, month: 1, day: 1)!
    static let dusk = LocalDate(year: 2199, month: 12, day: 31)!

    public func bars(symbol: String, timeframe: Timeframe, fromMs: Int64, toMs: Int64, limit: Int) async throws -> [Bar]
    {
        let table = try SQLiteSchema.table(for: timeframe)
        return try await read("bars of \(symbol) \(timeframe)") { db in
            guard let id = try Self.existingSecurityID(db, ticker: symbol, on: nil) else { return [] }
            return try Self.bars(db, table: table, securityID: id, fromMs: fromMs, toMs: toMs, limit: limit)
        }
    }

    /// One security's bars in time order: every name it traded under (FB's history under META).
    static func bars(_ db: Database, table: String, securityID: Int64, fromMs: Int64, toMs: Int64, limit: Int) throws
        -> [Bar]
    {
        if table == "bars_minute" {
            return try SQLiteMinuteBlocks.bars(db, securityID: securityID, fromMs: fromMs, toMs: toMs, limit: limit)
        }
        guard fromMs <= toMs else { return [] }
        return try rows(
            db, table: table, securityID: securityID, fromMs: fromMs, untilMs: toMs == .max ? toMs : toMs + 1,
            limit: limit)
    }

    /// Row-table bars of a security with `fromMs <= t < untilMs`, ascending, at most `limit`.
    static func rows(_ db: Database, table: String, securityID: Int64, fromMs: Int64, untilMs: Int64, limit: Int)
        throws -> [Bar]
    {
        let statement = try db.cachedStatement(
            sql: """
                SELECT t, o, h, l, c, v, vw, n FROM \(table)
                WHERE security_id = ? AND t >= ? AND t < ? ORDER BY t LIMIT ?
                """)
        let rows = try Row.fetchCursor(statement, arguments: [securityID, fromMs, untilMs, limit])
        var bars: [Bar] = []
        while let row = try rows.next() {
            bars.append(
                Bar(
                    windowStartMs: row[0], open: row[1], high: row[2], low: row[3], close: row[4], volume: row[5],
                    vwap: row[6], transactions: row[7]))
        }
        return bars
    }

    public func inventory() async throws -> [InventoryRow] {
        try await read("inventory") { db in
            var result: [InventoryRow] = []
            // Per security: bar count, first and last time (minutes: blocks plus unpacked rows).
            let spans = [
                (
                    "1d",
                    "SELECT security_id, COUNT(*) AS n, MIN(t) AS lo, MAX(t) AS hi FROM bars_day GROUP BY security_id"
                ),
                (
                    "1m",
                    """
                    SELECT security_id, count AS n, first_t AS lo, last_t AS hi FROM minute_blocks
                    UNION ALL SELECT security_id, COUNT(*), MIN(t), MAX(t) FROM bars_minute GROUP BY security_id
                    """
                ),
            ]
            for (label, span) in spans {
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT s.ticker, SUM(b.n), MIN(b.lo), MAX(b.hi), s.delist_date,
                            (SELECT group_concat(n.ticker, ',') FROM ticker_names n
                             WHERE n.security_id = s.id AND n.ticker != s.ticker)
                        FROM (\(span)) b JOIN securities s ON s.id = b.security_id GROUP BY s.id ORDER BY s.ticker
                        """)
                result += rows.map { row in
                    let former = (row[5] as String?)?.split(separator: ",").map(String.init) ?? []
                    return InventoryRow(
                        symbol: row[0], timeframe: label, bars: row[1], firstMs: row[2], lastMs: row[3],
                        delistedOn: row[4], formerTickers: former)
                }
            }
            return result.sorted { ($0.symbol, $0.timeframe) < ($1.symbol, $1.timeframe) }
        }
    }

    public func recordRun(_ run: RunRecord) async throws {
        let errors = String(decoding: try JSONEncoder().encode(run.errors), as: UTF8.self)
        do {
            try await pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO runs (started_at_ms, finished_at_ms, status, tickers, bars_received, bars_changed,
                                          requests, errors, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        run.startedAtMs, run.finishedAtMs, run.status, run.tickers.joined(separator: ","),
                        run.barsReceived, run.barsChanged, run.requests, errors, run.report,
                    ])
            }
        } catch {
            throw StorageError(.write, "cannot record the run in '\(path)'", underlying: error)
        }
    }

    public func indicatorState(symbol: String, timeframe: Timeframe) async throws -> (lastMs: Int64, state: [UInt8])? {
        try await read("indicator state of \(symbol) \(timeframe)") { db in
            guard let id = try Self.existingSecurityID(db, ticker: symbol, on: nil) else { return nil }
            let row = try Row.fetchOne(
                db, sql: "SELECT last_t, state FROM indicator_state WHERE security_id = ? AND timeframe = ?",
                arguments: [id, timeframe.description])
            return row.map { (lastMs: $0[0], state: Self.stateBytes($0[1])) }
        }
    }

    public func saveIndicatorState(symbol: String, timeframe: Timeframe, lastMs: Int64, state: [UInt8]) async throws {
        do {
            try await pool.write { db in
                let id = try Self.securityID(db, ticker: symbol)
                try db.execute(
                    sql: """
                        INSERT INTO indicator_state (security_id, timeframe, last_t, state) VALUES (?, ?, ?, ?)
                        ON CONFLICT (security_id, timeframe) DO UPDATE SET last_t = excluded.last_t, state = excluded.state
                        """, arguments: [id, timeframe.description, lastMs, Data(state)])
            }
        } catch {
            throw StorageError(
                .write, "cannot save the indicator state of \(symbol) \(timeframe) in '\(path)'", underlying: error)
        }
    }

    public func recentRuns(limit: Int) async throws -> [RunRecord] {
        try await read("runs") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT started_at_ms, finished_at_ms, status, tickers, bars_received, bars_changed, requests, errors,
                           report
                    FROM runs ORDER BY id DESC LIMIT ?
                    """, arguments: [limit]
            ).map { row in
                let errors = (try? JSONDecoder().decode([String].self, from: Data((row[7] as String).utf8))) ?? []
                return RunRecord(
                    startedAtMs: row[0], finishedAtMs: row[1], status: row[2],
                    tickers: (row[3] as String).split(separator: ",").map(String.init), barsReceived: row[4],
                    barsChanged: row[5], requests: row[6], errors: errors, report: row[8])
            }
        }
    }

    func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.read, "cannot read \(what) from '\(path)'", underlying: error)
        }
    }
}
