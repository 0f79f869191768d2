import BackfillCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import Testing
import WebUI

/// Adjusted series on read, from stored splits and dividends; the stored bars stay raw.
@Suite("Adjusted reads")
struct AdjustedReadTests {
    static let dates = ["2025-01-06", "2025-01-07", "2025-01-08", "2025-01-09", "2025-01-10"]
    /// A 2-for-1 split before the open of 01-08 halves the raw price.
    static let closes = [100.0, 101, 50.5, 51, 52]
    static let split = Split(executionDate: TestSupport.date("2025-01-08"), splitFrom: 1, splitTo: 2)
    static let dividend = CashDividend(exDividendDate: TestSupport.date("2025-01-10"), cashAmount: 0.51)

    static func store() async throws -> SQLiteBarStore {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("adjusted.sqlite").path
        let store = try SQLiteBarStore(path: path)
        let bars = zip(dates, closes).map { date, close in
            Bar(
                windowStartMs: EasternTime.utcMilliseconds(on: TestSupport.date(date), minutesAfterMidnight: 0),
                open: close, high: close + 1, low: close - 1, close: close, volume: 1_000, vwap: close, transactions: 5)
        }
        _ = try await store.write(BarBatch(symbol: "AMD", timeframe: .day, bars: bars), covering: nil)
        _ = try await store.saveActions(
            splits: [SplitRow(id: "s1", ticker: "AMD", split: split)],
            dividends: [DividendRow(id: "d1", ticker: "AMD", dividend: dividend)], marking: nil)
        return store
    }

    /// Expected closes: halved before the split; times 1 − 0.51 / 51 (the close before the ex-date) before the dividend.
    static func expected(_ adjustment: BarAdjustment) -> [Double] {
        zip(dates, closes).map { date, close in
            let day = TestSupport.date(date)
            var factor = 1.0
            if adjustment != .none && day < split.executionDate { factor *= 0.5 }
            if adjustment == .all && day < dividend.exDividendDate { factor *= 1 - 0.51 / 51 }
            return close * factor
        }
    }

    @Test(arguments: BarAdjustment.allCases)
    func storeReadsAreAdjustedAndTheStoredBarsStayRaw(adjustment: BarAdjustment) async throws {
        let store = try await Self.store()
        let bars = try await store.bars(
            symbol: "AMD", timeframe: .day, fromMs: 0, toMs: .max, limit: 10, adjustment: adjustment)
        #expect(zip(bars.map(\.close), Self.expected(adjustment)).allSatisfy { abs($0 - $1) < 1e-9 })
        let volumes = bars.map(\.volume)
        #expect(
            volumes
                == (adjustment == .none ? [1_000, 1_000, 1_000, 1_000, 1_000] : [2_000, 2_000, 1_000, 1_000, 1_000]))
        let raw = try await store.bars(symbol: "AMD", timeframe: .day, fromMs: 0, toMs: .max, limit: 10)
        #expect(raw.map(\.close) == Self.closes)
    }

    @Test func theWebAPITakesAnAdjustParameter() async throws {
        let app = Application(router: WebApp(store: try await Self.store()).makeRouter())
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/bars?symbol=AMD&timeframe=1d&adjust=splits", method: .get) { response in
                #expect(response.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))
                let closes = try WebAppTests.numbers((json as? [String: Any])?["c"])
                #expect(closes.count == 5 && zip(closes, Self.expected(.splits)).allSatisfy { abs($0 - $1) < 1e-9 })
            }
            try await client.execute(uri: "/api/bars?symbol=AMD&timeframe=1d&adjust=sideways", method: .get) {
                response in
                #expect(response.status == .badRequest && String(buffer: response.body).contains("adjust"))
            }
        }
    }
}
