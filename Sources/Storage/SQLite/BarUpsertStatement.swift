import BackfillCore
import GRDB
import GRDBSQLite

/// The hot path of every bar write: a prepared multi-row upsert bound through SQLite's C API,
/// `rowsPerStatement` bars per step. Binding doubles and integers directly avoids GRDB's per-row
/// argument boxing, which cost more than SQLite itself.
struct BarUpsertStatement {
    static let rowsPerStatement = 64
    static let columns = 9

    /// Upserts `bars` of one security; returns rows inserted or changed. Statements come from the
    /// connection's statement cache, so each (table, row count) is compiled once per connection.
    static func upsert(_ db: Database, table: String, securityID: Int64, bars: [Bar]) throws -> Int {
        guard let connection = db.sqliteConnection else { return 0 }
        var changed = 0
        var start = 0
        while start < bars.count {
            let count = min(rowsPerStatement, bars.count - start)
            let statement = try db.cachedStatement(sql: sql(table: table, rows: count)).sqliteStatement
            try bind(statement, securityID: securityID, bars: bars[start..<(start + count)], connection: connection)
            let result = sqlite3_step(statement)
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
            guard result == SQLITE_DONE else { throw error(connection) }
            changed += Int(sqlite3_changes(connection))
            start += count
        }
        return changed
    }

    static func sql(table: String, rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ",") + ")"
        return """
            INSERT INTO \(table) (security_id, t, o, h, l, c, v, vw, n) VALUES \
            \(Array(repeating: row, count: rows).joined(separator: ","))
            ON CONFLICT (security_id, t) DO UPDATE SET
                o = excluded.o, h = excluded.h, l = excluded.l, c = excluded.c,
                v = excluded.v, vw = excluded.vw, n = excluded.n
            WHERE o IS NOT excluded.o OR h IS NOT excluded.h OR l IS NOT excluded.l OR c IS NOT excluded.c
                OR v IS NOT excluded.v OR vw IS NOT excluded.vw OR n IS NOT excluded.n
            """
    }

    private static func bind(
        _ statement: OpaquePointer?, securityID: Int64, bars: ArraySlice<Bar>, connection: OpaquePointer
    ) throws {
        var index: Int32 = 1
        for bar in bars {
            sqlite3_bind_int64(statement, index, securityID)
            sqlite3_bind_int64(statement, index + 1, bar.windowStartMs)
            guard bar.open.isFinite, bar.high.isFinite, bar.low.isFinite, bar.close.isFinite, bar.volume.isFinite else {
                throw StorageError(.write, "bar at \(bar.windowStartMs) has a non-finite price or volume")
            }
            sqlite3_bind_double(statement, index + 2, bar.open)
            sqlite3_bind_double(statement, index + 3, bar.high)
            sqlite3_bind_double(statement, index + 4, bar.low)
            sqlite3_bind_double(statement, index + 5, bar.close)
            sqlite3_bind_double(statement, index + 6, bar.volume)
            if let vwap = bar.vwap, vwap.isFinite {
                sqlite3_bind_double(statement, index + 7, vwap)
            } else {
                sqlite3_bind_null(statement, index + 7)
            }
            if let trades = bar.transactions {
                sqlite3_bind_int64(statement, index + 8, trades)
            } else {
                sqlite3_bind_null(statement, index + 8)
            }
            index += Int32(columns)
        }
    }

    private static func error(_ connection: OpaquePointer) -> StorageError {
        StorageError(.write, "SQLite: \(String(cString: sqlite3_errmsg(connection)))")
    }
}
