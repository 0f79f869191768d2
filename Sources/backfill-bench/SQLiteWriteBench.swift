import BackfillCore
import Foundation
import GRDB
import GRDBSQLite
import Storage

/// SQLite's ceiling on our schema beside our write path: a bare C-API loop of prepared single-row
/// upserts in one transaction, against `SQLiteBarStore.write(_:)` (multi-row upserts, 1,000 symbols a
/// transaction, as a flat-file day is written), both into fresh files, 1.6 M minute bars of 10,000 symbols.
enum SQLiteWriteBench {
    static let symbols = 10_000
    static let barsPerSymbol = 160

    static func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let batches = makeBatches()
        let rows = symbols * barsPerSymbol
        let bare = try bareLoop(path: folder.appendingPathComponent("bare.sqlite").path, batches: batches)
        let ours = try await storeLoop(path: folder.appendingPathComponent("ours.sqlite").path, batches: batches)
        print("bare C-API single-row upserts: \(rate(rows, bare)) rows/s (\(String(format: "%.2f", bare)) s)")
        print(
            "SQLiteBarStore.write:          \(rate(rows, ours)) rows/s (\(String(format: "%.2f", ours)) s), \(String(format: "%.0f", bare / ours * 100))% of bare"
        )
    }

    static func makeBatches() -> [BarBatch] {
        var rng = SplitMix64(seed: 1)
        let start = EasternTime.utcMilliseconds(on: LocalDate("2024-03-15")!, minutesAfterMidnight: 570)
        return (0..<symbols).map { index in
            let bars = (0..<barsPerSymbol).map { minute -> Bar in
                let price = 10 + rng.nextUnit() * 100
                return Bar(
                    windowStartMs: start + Int64(minute) * 60_000, open: price, high: price * 1.001, low: price * 0.999,
                    close: price, volume: Double(rng.next() % 10_000), vwap: price,
                    transactions: Int64(rng.next() % 100))
            }
            return BarBatch(symbol: "S\(index)", timeframe: .minute, bars: bars)
        }
    }

    /// SQLite's ceiling on our schema: one prepared single-row upsert per bar through the C API,
    /// one transaction, each batch's symbol a security; `cacheKiB` as the caller's store sets it.
    static func bareLoop(path: String, batches: [BarBatch], cacheKiB: Int? = nil) throws -> Double {
        _ = try SQLiteBarStore(path: path)  // same schema and pragmas
        var db: OpaquePointer?
        sqlite3_open(path, &db)
        defer { sqlite3_close(db) }
        let cache = cacheKiB.map { " PRAGMA cache_size = -\($0);" } ?? ""
        sqlite3_exec(db, "PRAGMA synchronous = NORMAL; PRAGMA journal_mode = WAL;" + cache, nil, nil, nil)
        var insert: OpaquePointer?
        sqlite3_prepare_v2(db, "INSERT INTO securities (id, ticker) VALUES (?, ?)", -1, &insert, nil)
        sqlite3_exec(db, "BEGIN", nil, nil, nil)
        for (index, batch) in batches.enumerated() {
            sqlite3_bind_int64(insert, 1, Int64(index + 1))
            sqlite3_bind_text(insert, 2, batch.symbol, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            sqlite3_step(insert)
            sqlite3_reset(insert)
        }
        sqlite3_exec(db, "COMMIT", nil, nil, nil)
        sqlite3_finalize(insert)
        var statement: OpaquePointer?
        sqlite3_prepare_v2(
            db,
            "INSERT INTO bars_minute (security_id, t, o, h, l, c, v, vw, n) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (security_id, t) DO UPDATE SET o = excluded.o, h = excluded.h, l = excluded.l, c = excluded.c, v = excluded.v, vw = excluded.vw, n = excluded.n",
            -1, &statement, nil)
        defer { sqlite3_finalize(statement) }
        let started = ContinuousClock.now
        sqlite3_exec(db, "BEGIN", nil, nil, nil)
        for (index, batch) in batches.enumerated() {
            for bar in batch.bars {
                sqlite3_bind_int64(statement, 1, Int64(index + 1))
                sqlite3_bind_int64(statement, 2, bar.windowStartMs)
                sqlite3_bind_double(statement, 3, bar.open)
                sqlite3_bind_double(statement, 4, bar.high)
                sqlite3_bind_double(statement, 5, bar.low)
                sqlite3_bind_double(statement, 6, bar.close)
                sqlite3_bind_double(statement, 7, bar.volume)
                if let vwap = bar.vwap {
                    sqlite3_bind_double(statement, 8, vwap)
                } else {
                    sqlite3_bind_null(statement, 8)
                }
                sqlite3_bind_int64(statement, 9, bar.transactions ?? 0)
                sqlite3_step(statement)
                sqlite3_reset(statement)
            }
        }
        sqlite3_exec(db, "COMMIT", nil, nil, nil)
        return seconds(since: started)
    }

    static func storeLoop(path: String, batches: [BarBatch]) async throws -> Double {
        let store = try SQLiteBarStore(path: path)
        let started = ContinuousClock.now
        for start in stride(from: 0, to: batches.count, by: 1_000) {
            _ = try await store.write(Array(batches[start..<min(start + 1_000, batches.count)]), source: .flatFile)
        }
        return seconds(since: started)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    static func rate(_ rows: Int, _ seconds: Double) -> String { String(format: "%.0f", Double(rows) / seconds) }
}
