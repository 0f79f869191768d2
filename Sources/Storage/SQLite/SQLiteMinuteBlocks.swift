import BackfillCore
import GRDB
import GRDBSQLite

/// Minute bars on disk: one `minute_blocks` row per (security, New York day) holding the day's
/// minutes packed (``MinuteBlock``), and the row table `bars_minute` for live minutes of a day no
/// block holds yet. A day's minutes live in exactly one of the two: a block write takes in the
/// day's rows and deletes them, and a live minute of a day that has a block goes into the block.
///
/// So a whole-market day file is 10,000 appends (one per security) instead of 1.6 M B-tree inserts
/// into 10,000 places, and its speed does not fall as the table grows; a live minute of a new day
/// is one row insert.
enum SQLiteMinuteBlocks {
    /// Stores one security's minute bars; returns how many were new or changed.
    static func write(_ db: Database, securityID: Int64, bars: [Bar], source: BarSource) throws -> Int {
        let bars = MinuteBlock.normalized(bars)
        var changed = 0
        for run in dayRuns(bars) {
            changed += try writeDay(db, securityID: securityID, run: run, bars: bars[run.range], source: source)
        }
        return changed
    }

    /// A New York day's stretch of ascending bars: the day, its UTC bounds, the bars' indices.
    struct DayRun {
        var day: LocalDate
        var startMs: Int64
        var endMs: Int64
        var range: Range<Int>
    }

    /// Ascending bars cut at New York midnights (one time-zone lookup per day, not per bar).
    static func dayRuns(_ bars: [Bar]) -> [DayRun] {
        var runs: [DayRun] = []
        var start = 0
        while start < bars.count {
            let day = EasternTime.date(containing: bars[start].windowStartMs)
            let (dayStart, dayEnd) = bounds(of: day)
            var end = start + 1
            while end < bars.count, bars[end].windowStartMs < dayEnd { end += 1 }
            runs.append(DayRun(day: day, startMs: dayStart, endMs: dayEnd, range: start..<end))
            start = end
        }
        return runs
    }

    private static func writeDay(
        _ db: Database, securityID: Int64, run: DayRun, bars: ArraySlice<Bar>, source: BarSource
    ) throws -> Int {
        let day = run.day
        let block = try readBlock(db, securityID: securityID, day: day)
        if block == nil, source == .live {
            // Today's live minutes: one row each until a backfill packs the day.
            let changed = try BarUpsertStatement.upsert(
                db, table: "bars_minute", securityID: securityID, bars: Array(bars))
            try SQLiteLedger.recordReceived(db, securityID: securityID, bars: Array(bars), source: source)
            return changed
        }
        let rows = try rowBars(db, securityID: securityID, fromMs: run.startMs, untilMs: run.endMs)
        let old = rows.isEmpty ? (block ?? []) : MinuteBlock.overlay(block ?? [], rows).bars
        let (merged, changed) = MinuteBlock.overlay(old, bars)
        if changed > 0 || !rows.isEmpty {
            try saveBlock(db, securityID: securityID, day: day, bars: merged)
        }
        if !rows.isEmpty {
            try db.cachedStatement(sql: "DELETE FROM bars_minute WHERE security_id = ? AND t >= ? AND t < ?")
                .execute(arguments: [securityID, run.startMs, run.endMs])
        }
        // Even when nothing changed: the ledger counts what is stored (a repair may find it stale).
        try SQLiteLedger.recordDay(db, securityID: securityID, bars: merged, source: source)
        return changed
    }

    /// The UTC instants bounding a New York day.
    static func bounds(of day: LocalDate) -> (Int64, Int64) {
        (
            EasternTime.utcMilliseconds(on: day, minutesAfterMidnight: 0),
            EasternTime.utcMilliseconds(on: day.adding(days: 1), minutesAfterMidnight: 0)
        )
    }

    static func readBlock(_ db: Database, securityID: Int64, day: LocalDate) throws -> [Bar]? {
        let statement = try db.cachedStatement(
            sql: "SELECT bars FROM minute_blocks WHERE security_id = ? AND session = ?"
        ).sqliteStatement
        defer { sqlite3_reset(statement) }
        sqlite3_bind_int64(statement, 1, securityID)
        sqlite3_bind_int64(statement, 2, Int64(day.daysSinceEpoch))
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return try MinuteBlock.decode(blob(statement, 0))
        case SQLITE_DONE: return nil
        default: throw failure(.read, db)
        }
    }

    /// A BLOB column of the current row (valid until the statement steps or resets).
    private static func blob(_ statement: OpaquePointer?, _ column: Int32) -> UnsafeRawBufferPointer {
        // sqlite3_column_blob before sqlite3_column_bytes, as SQLite asks.
        let base = sqlite3_column_blob(statement, column)
        return UnsafeRawBufferPointer(
            start: base, count: base == nil ? 0 : Int(sqlite3_column_bytes(statement, column)))
    }

    /// SQLite's own message for the last failure on `db`.
    private static func failure(_ code: StorageError.Code, _ db: Database) -> StorageError {
        StorageError(code, "SQLite: \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
    }

    /// Writes (or replaces) the block of a day; an empty day deletes it.
    static func saveBlock(_ db: Database, securityID: Int64, day: LocalDate, bars: [Bar]) throws {
        guard let first = bars.first, let last = bars.last else {
            try db.cachedStatement(sql: "DELETE FROM minute_blocks WHERE security_id = ? AND session = ?")
                .execute(arguments: [securityID, day.daysSinceEpoch])
            return
        }
        let blob = try MinuteBlock.encode(bars)
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO minute_blocks (security_id, session, first_t, last_t, count, bars) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (security_id, session) DO UPDATE SET
                    first_t = excluded.first_t, last_t = excluded.last_t, count = excluded.count, bars = excluded.bars
                """
        ).sqliteStatement
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        sqlite3_bind_int64(statement, 1, securityID)
        sqlite3_bind_int64(statement, 2, Int64(day.daysSinceEpoch))
        sqlite3_bind_int64(statement, 3, first.windowStartMs)
        sqlite3_bind_int64(statement, 4, last.windowStartMs)
        sqlite3_bind_int64(statement, 5, Int64(bars.count))
        let result = blob.withUnsafeBytes { bytes in
            // SQLITE_STATIC: the bytes outlive the step below.
            sqlite3_bind_blob(statement, 6, bytes.baseAddress, Int32(bytes.count), nil)
            return sqlite3_step(statement)
        }
        guard result == SQLITE_DONE else { throw failure(.write, db) }
    }

    /// Row-table minutes of a security in `[fromMs, untilMs)`, ascending.
    static func rowBars(_ db: Database, securityID: Int64, fromMs: Int64, untilMs: Int64, limit: Int = .max) throws
        -> [Bar]
    {
        try SQLiteBarStore.rows(
            db, table: "bars_minute", securityID: securityID, fromMs: fromMs, untilMs: untilMs, limit: limit)
    }

    /// A security's minutes with `fromMs <= t <= toMs`, ascending, at most `limit`: blocks and rows merged.
    /// `packed: false` reads the row table only (a database before migration v6).
    static func bars(
        _ db: Database, securityID: Int64, fromMs: Int64, toMs: Int64, limit: Int, packed: Bool = true
    ) throws -> [Bar] {
        guard limit > 0, fromMs <= toMs else { return [] }
        let untilMs = toMs == .max ? toMs : toMs + 1
        let rows = try rowBars(db, securityID: securityID, fromMs: fromMs, untilMs: untilMs, limit: limit)
        guard packed else { return rows }
        // A New York day starts 4–5 hours after its UTC midnight: its number is the UTC day's or one less.
        let firstDay = fromMs / 86_400_000 - 1
        let lastDay = toMs / 86_400_000
        let statement = try db.cachedStatement(
            sql: """
                SELECT bars FROM minute_blocks
                WHERE security_id = ? AND session BETWEEN ? AND ? AND last_t >= ? AND first_t <= ? ORDER BY session
                """
        ).sqliteStatement
        defer { sqlite3_reset(statement) }
        sqlite3_bind_int64(statement, 1, securityID)
        sqlite3_bind_int64(statement, 2, firstDay)
        sqlite3_bind_int64(statement, 3, lastDay)
        sqlite3_bind_int64(statement, 4, fromMs)
        sqlite3_bind_int64(statement, 5, toMs)
        var packed: [Bar] = []
        // Sized once from the blocks' counts: growing a year of minutes (~19 MB) doubling as it
        // goes copied it about twice over and faulted in fresh pages each time.
        packed.reserveCapacity(
            min(limit, try blockBarCount(db, securityID: securityID, days: firstDay...lastDay, fromMs, toMs)))
        while packed.count < limit {
            let result = sqlite3_step(statement)
            if result == SQLITE_DONE { break }
            guard result == SQLITE_ROW else { throw failure(.read, db) }
            try MinuteBlock.decode(blob(statement, 0), into: &packed, fromMs: fromMs, toMs: toMs, limit: limit)
        }
        let merged = rows.isEmpty ? packed : MinuteBlock.overlay(packed, rows).bars
        return merged.count > limit ? Array(merged.prefix(limit)) : merged
    }

    /// Bars in the blocks a range read visits (the whole blocks, an upper bound of what it keeps).
    private static func blockBarCount(
        _ db: Database, securityID: Int64, days: ClosedRange<Int64>, _ fromMs: Int64, _ toMs: Int64
    ) throws -> Int {
        let statement = try db.cachedStatement(
            sql: """
                SELECT COALESCE(SUM(count), 0) FROM minute_blocks
                WHERE security_id = ? AND session BETWEEN ? AND ? AND last_t >= ? AND first_t <= ?
                """)
        return try Int.fetchOne(
            statement, arguments: [securityID, days.lowerBound, days.upperBound, fromMs, toMs]) ?? 0
    }

    /// Moves a security's minutes in `[fromMs, untilMs)` to another (an identity merge); minutes the
    /// survivor already has stay as they are. Returns the minutes new to the survivor.
    static func move(_ db: Database, from old: Int64, to survivor: Int64, fromMs: Int64, untilMs: Int64) throws -> Int {
        guard fromMs < untilMs else { return 0 }
        let days = try Int64.fetchAll(
            db,
            sql: """
                SELECT session FROM minute_blocks
                WHERE security_id = ? AND session BETWEEN ? AND ? AND last_t >= ? AND first_t < ? ORDER BY session
                """, arguments: [old, fromMs / 86_400_000 - 1, untilMs / 86_400_000, fromMs, untilMs])
        var moved = 0
        for number in days {
            let day = LocalDate(daysSinceEpoch: Int(number))
            guard let bars = try readBlock(db, securityID: old, day: day) else { continue }
            let inside = bars.filter { $0.windowStartMs >= fromMs && $0.windowStartMs < untilMs }
            let outside = bars.filter { $0.windowStartMs < fromMs || $0.windowStartMs >= untilMs }
            let kept = try readBlock(db, securityID: survivor, day: day) ?? []
            // The survivor's minutes win: overlay the moved ones under them.
            let (merged, _) = MinuteBlock.overlay(inside, kept)
            moved += merged.count - kept.count
            try saveBlock(db, securityID: survivor, day: day, bars: merged)
            try saveBlock(db, securityID: old, day: day, bars: outside)
        }
        return moved
    }

    /// Every (ticker, minute) stored, for exports and whole-database comparisons: each security under
    /// its current ticker, in ticker and time order.
    static func allBars(_ db: Database, visit: (String, Bar) throws -> Void) throws {
        // A database before migration v6 has only rows.
        let packed = try db.tableExists("minute_blocks")
        let securities = try Row.fetchAll(
            db,
            sql: """
                SELECT s.id, s.ticker FROM securities s WHERE EXISTS (SELECT 1 FROM bars_minute m WHERE m.security_id = s.id)
                    \(packed ? "OR EXISTS (SELECT 1 FROM minute_blocks b WHERE b.security_id = s.id)" : "")
                ORDER BY s.ticker, s.id
                """)
        for row in securities {
            let ticker: String = row[1]
            for bar in try bars(db, securityID: row[0], fromMs: .min / 2, toMs: .max, limit: .max, packed: packed) {
                try visit(ticker, bar)
            }
        }
    }
}

extension SQLiteMinuteBlocks {
    /// Packs row-table minutes of days before `before` (all days when nil) into blocks, merged with
    /// any block of the same day (the rows win), and deletes the rows. The ledger's counts stay
    /// right: they already count these minutes. Returns the days packed.
    @discardableResult
    static func pack(_ db: Database, before: LocalDate?) throws -> Int {
        let untilMs = before.map { bounds(of: $0).0 } ?? .max
        var packed = 0
        for securityID in try Int64.fetchAll(
            db, sql: "SELECT DISTINCT security_id FROM bars_minute WHERE t < ?", arguments: [untilMs])
        {
            let rows = try rowBars(db, securityID: securityID, fromMs: .min, untilMs: untilMs)
            for run in dayRuns(rows) {
                let block = try readBlock(db, securityID: securityID, day: run.day) ?? []
                try saveBlock(
                    db, securityID: securityID, day: run.day, bars: MinuteBlock.overlay(block, rows[run.range]).bars)
                packed += 1
            }
            try db.execute(
                sql: "DELETE FROM bars_minute WHERE security_id = ? AND t < ?", arguments: [securityID, untilMs])
        }
        return packed
    }
}

extension SQLiteBarStore {
    /// Every stored minute bar (packed and unpacked) in ticker and time order, each security under
    /// its current ticker: for exports and for comparing two databases exactly.
    public static func forEachMinuteBar(_ db: Database, _ visit: (String, Bar) throws -> Void) throws {
        try SQLiteMinuteBlocks.allBars(db, visit: visit)
    }
}

extension SQLiteBarStore {
    /// Packs the unpacked live minutes of days before `day` into their days' blocks (a live run does
    /// this for finished days when it stops). Returns the (security, day) blocks written.
    @discardableResult
    public func packLiveMinutes(before day: LocalDate) async throws -> Int {
        do {
            return try await pool.write { db in try SQLiteMinuteBlocks.pack(db, before: day) }
        } catch {
            throw StorageError(.write, "cannot pack live minutes in '\(path)'", underlying: error)
        }
    }
}
