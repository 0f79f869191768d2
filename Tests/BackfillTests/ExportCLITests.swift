import BackfillCore
import Foundation
import Storage
import Testing

/// `scraper export` through the built binary: every stored bar once, as the store reads it.
@Suite("scraper export", .serialized)
struct ExportCLITests {
    @Test func exportPrintsEveryStoredMinuteOnceInTimeOrder() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let db = folder.appendingPathComponent("export.sqlite").path
        let backfill = try await ScraperCLITests.run(
            [
                "--sandbox", "--tickers", "AMD,NVDA", "--from", "2025-01-06", "--to", "2025-01-08", "--db", db,
                "--phases", "daily,minute",
            ], in: folder)
        #expect(backfill.status == 0, "\(backfill.all)")
        let store = try SQLiteBarStore(path: db)
        let export = try await ScraperCLITests.run(["export", "--db", db, "--timeframe", "1m"], in: folder)
        #expect(export.status == 0, "\(export.all)")
        let lines = export.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "ticker,t,open,high,low,close,volume,vwap,transactions")
        for ticker in ["AMD", "NVDA"] {
            let stored = try await store.bars(symbol: ticker, timeframe: .minute, fromMs: 0, toMs: .max, limit: 100_000)
            let rows = lines.filter { $0.hasPrefix(ticker + ",") }.map {
                $0.split(separator: ",", omittingEmptySubsequences: false)
            }
            #expect(
                !stored.isEmpty && rows.count == stored.count, "\(ticker): \(rows.count) rows, \(stored.count) stored")
            #expect(rows.map { Int64($0[1]) } == stored.map(\.windowStartMs))
            #expect(rows.map { Double($0[5]) } == stored.map(\.close))
        }
        // One day, one ticker: only that day's minutes.
        let day = try await ScraperCLITests.run(
            ["export", "--db", db, "--tickers", "AMD", "--from", "2025-01-07", "--to", "2025-01-07"], in: folder)
        let (start, end) = (
            EasternTime.utcMilliseconds(on: TestSupport.date("2025-01-07"), minutesAfterMidnight: 0),
            EasternTime.utcMilliseconds(on: TestSupport.date("2025-01-08"), minutesAfterMidnight: 0)
        )
        let times = day.stdout.split(separator: "\n").dropFirst().compactMap { Int64($0.split(separator: ",")[1]) }
        #expect(!times.isEmpty && times.allSatisfy { $0 >= start && $0 < end })
    }

    @Test func aWrongOptionSaysWhichAndWhy() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let missing = try await ScraperCLITests.run(
            ["export", "--db", folder.appendingPathComponent("none.sqlite").path], in: folder)
        #expect(missing.status != 0 && missing.stderr.contains("no database at"), "\(missing.all)")
        let db = folder.appendingPathComponent("empty.sqlite").path
        _ = try SQLiteBarStore(path: db)
        let adjust = try await ScraperCLITests.run(["export", "--db", db, "--adjust", "sideways"], in: folder)
        #expect(adjust.status != 0 && adjust.stderr.contains("--adjust must be none, splits or all"), "\(adjust.all)")
        let timeframe = try await ScraperCLITests.run(["export", "--db", db, "--timeframe", "5m"], in: folder)
        #expect(timeframe.status != 0 && timeframe.stderr.contains("--timeframe must be 1m or 1d"), "\(timeframe.all)")
    }
}
