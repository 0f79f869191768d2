import BackfillCore
import GRDB

/// Stores one security's identity and names inside a write transaction, merging into it the
/// unidentified securities (created by bar writes before the reference data was known) that held
/// one of its names: their bars inside the name's interval move to the survivor (a row present
/// under both keeps the survivor's), and every other table keyed by `security_id` follows.
struct IdentityMerge {
    let db: Database
    let identity: SecurityIdentity

    typealias Interval = NameInterval

    func run() throws -> IdentityOutcome {
        let intervals = NameInterval.intervals(identity.names)
        guard let current = intervals.last?.name.ticker else {
            throw StorageError(.write, "security \(identity.compositeFIGI ?? "?") has no ticker name")
        }
        let holders = try unidentifiedHolders(intervals)
        let survivor = try survivorID(holders: holders, current: current)
        let before = try snapshot(survivor)
        var merged = 0
        var moved = 0
        for (id, interval) in holders where id != survivor {
            moved += try moveBars(from: id, to: survivor, interval: interval)
            if try isEmpty(id) {
                try absorb(id, into: survivor)
                merged += 1
            } else {
                try trim(id, ticker: interval.name.ticker, around: interval)
            }
        }
        if moved > 0 {
            try db.execute(sql: "DELETE FROM indicator_state WHERE security_id = ?", arguments: [survivor])
        }
        try saveNames(intervals, of: survivor)
        try saveIdentity(of: survivor, current: current)
        let after = try snapshot(survivor)
        let changed = moved > 0 || merged > 0 || before != after
        return IdentityOutcome(securityID: survivor, merged: merged, movedBars: moved, changed: changed)
    }

    /// Securities without a FIGI holding one of the names, with the interval they would give up.
    private func unidentifiedHolders(_ intervals: [Interval]) throws -> [(Int64, Interval)] {
        var result: [(Int64, Interval)] = []
        for interval in intervals {
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    SELECT n.security_id FROM ticker_names n JOIN securities s ON s.id = n.security_id
                    WHERE n.ticker = ? AND (s.composite_figi IS NULL OR s.composite_figi = ?) ORDER BY n.security_id
                    """, arguments: [interval.name.ticker, identity.compositeFIGI])
            result += ids.map { ($0, interval) }
        }
        return result
    }

    /// The security with this FIGI, else the unidentified holder of the current name, else any
    /// holder, else a new row.
    private func survivorID(holders: [(Int64, Interval)], current: String) throws -> Int64 {
        if let figi = identity.compositeFIGI,
            let id = try Int64.fetchOne(
                db, sql: "SELECT id FROM securities WHERE composite_figi = ?", arguments: [figi])
        {
            return id
        }
        if let id = holders.first(where: { $0.1.name.ticker == current })?.0 ?? holders.first?.0 { return id }
        try db.execute(sql: "INSERT INTO securities (ticker) VALUES (?)", arguments: [current])
        return db.lastInsertedRowID
    }

    /// Moves the bars of `old` inside the interval; returns rows that were new under the survivor.
    private func moveBars(from old: Int64, to survivor: Int64, interval: Interval) throws -> Int {
        var moved = try SQLiteMinuteBlocks.move(
            db, from: old, to: survivor, fromMs: interval.fromMs, untilMs: interval.untilMs)
        for table in ["bars_minute", "bars_day"] {
            try db.execute(
                sql: """
                    INSERT INTO \(table) (security_id, t, o, h, l, c, v, vw, n)
                    SELECT ?, t, o, h, l, c, v, vw, n FROM \(table) WHERE security_id = ? AND t >= ? AND t < ?
                    ON CONFLICT (security_id, t) DO NOTHING
                    """, arguments: [survivor, old, interval.fromMs, interval.untilMs])
            moved += db.changesCount
            try db.execute(
                sql: "DELETE FROM \(table) WHERE security_id = ? AND t >= ? AND t < ?",
                arguments: [old, interval.fromMs, interval.untilMs])
        }
        return moved
    }

    private func isEmpty(_ id: Int64) throws -> Bool {
        try Int.fetchOne(
            db,
            sql: """
                SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM bars_minute WHERE security_id = ?1 LIMIT 1))
                     + (SELECT COUNT(*) FROM (SELECT 1 FROM minute_blocks WHERE security_id = ?1 LIMIT 1))
                     + (SELECT COUNT(*) FROM (SELECT 1 FROM bars_day WHERE security_id = ?1 LIMIT 1))
                """, arguments: [id]) == 0
    }

    /// Folds an emptied security into the survivor: coverage merges, and every table keyed by
    /// `security_id` (actions, news links, other modules' ledgers) moves over, the survivor's row
    /// winning a conflict; then the old row goes.
    private func absorb(_ old: Int64, into survivor: Int64) throws {
        for timeframe in try String.fetchAll(
            db, sql: "SELECT DISTINCT timeframe FROM coverage WHERE security_id = ?", arguments: [old])
        {
            guard let tf = Timeframe(label: timeframe) else { continue }
            for range in try SQLiteBarStore.ranges(db, securityID: old, timeframe: tf) {
                try SQLiteBarStore.addCoverage(db, securityID: survivor, timeframe: tf, range: range)
            }
        }
        try db.execute(sql: "DELETE FROM coverage WHERE security_id = ?", arguments: [old])
        try db.execute(sql: "DELETE FROM indicator_state WHERE security_id = ?", arguments: [old])
        try db.execute(sql: "DELETE FROM ticker_names WHERE security_id = ?", arguments: [old])
        for table in try tablesKeyedBySecurity() {
            try db.execute(
                sql: "UPDATE OR IGNORE \(table) SET security_id = ? WHERE security_id = ?", arguments: [survivor, old])
            try db.execute(sql: "DELETE FROM \(table) WHERE security_id = ?", arguments: [old])
        }
        try db.execute(sql: "DELETE FROM securities WHERE id = ?", arguments: [old])
    }

    /// Every table with a `security_id` column other than the ones merged above.
    private func tablesKeyedBySecurity() throws -> [String] {
        let handled: Set<String> = [
            "bars_minute", "minute_blocks", "bars_day", "coverage", "indicator_state", "ticker_names",
        ]
        return try String.fetchAll(
            db,
            sql: """
                SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
                WHERE m.type = 'table' AND c.name = 'security_id' ORDER BY m.name
                """
        ).filter { !handled.contains($0) }
    }

    /// A holder that keeps bars outside the interval (a reused ticker's earlier company) keeps the
    /// name only on its side of the interval.
    private func trim(_ id: Int64, ticker: String, around interval: Interval) throws {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT MIN(t), MAX(t) FROM (SELECT t FROM bars_day WHERE security_id = ?1
                                                UNION ALL SELECT t FROM bars_minute WHERE security_id = ?1
                                                UNION ALL SELECT first_t FROM minute_blocks WHERE security_id = ?1
                                                UNION ALL SELECT last_t FROM minute_blocks WHERE security_id = ?1)
                    """, arguments: [id]),
            let first = row[0] as Int64?, let last = row[1] as Int64?
        else { return }
        if last < interval.fromMs, let start = interval.name.first {
            try db.execute(
                sql: "UPDATE ticker_names SET last_day = ?, until_ms = ? WHERE security_id = ? AND ticker = ?",
                arguments: [start.adding(days: -1).description, interval.fromMs, id, ticker])
        } else if first >= interval.untilMs {
            try db.execute(
                sql: "UPDATE ticker_names SET first_day = ?, from_ms = ? WHERE security_id = ? AND ticker = ?",
                arguments: [EasternTime.date(containing: interval.untilMs).description, interval.untilMs, id, ticker])
        }
    }

    private func saveNames(_ intervals: [Interval], of id: Int64) throws {
        try db.execute(sql: "DELETE FROM ticker_names WHERE security_id = ?", arguments: [id])
        for interval in intervals {
            try db.execute(
                sql: """
                    INSERT INTO ticker_names (ticker, security_id, first_day, last_day, from_ms, until_ms)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (security_id, ticker) DO UPDATE SET
                        last_day = excluded.last_day, until_ms = excluded.until_ms
                    """,
                arguments: [
                    interval.name.ticker, id, interval.name.first?.description, interval.name.last?.description,
                    interval.fromMs, interval.untilMs,
                ])
        }
    }

    private func saveIdentity(of id: Int64, current: String) throws {
        try db.execute(
            sql: """
                UPDATE securities SET ticker = ?, composite_figi = ?, share_class_figi = ?, cik = ?, name = ?, type = ?,
                    primary_exchange = ?, active = ?, list_date = ?, delist_date = ? WHERE id = ?
                """,
            arguments: [
                current, identity.compositeFIGI, identity.shareClassFIGI, identity.cik, identity.name, identity.type,
                identity.primaryExchange, identity.active, identity.listDate?.description,
                identity.delistDate?.description, id,
            ])
    }

    /// The survivor's stored identity and names, to tell whether this save changed anything.
    private func snapshot(_ id: Int64) throws -> [String] {
        let security = try Row.fetchAll(db, sql: "SELECT * FROM securities WHERE id = ?", arguments: [id])
        let names = try Row.fetchAll(
            db, sql: "SELECT * FROM ticker_names WHERE security_id = ? ORDER BY from_ms", arguments: [id])
        return (security + names).map(\.description)
    }
}
