import BackfillCore
import Polygon
import PolygonSandbox
import Testing

/// The core resampler against the provider twin: daily bars resampled from the sandbox's minute
/// bars equal the sandbox's own daily bars, fetched over HTTP like Polygon's.
@Suite("Resampling sandbox data")
struct SandboxResampleTests {
    @Test(arguments: ["AMD", "TpC"])
    func dailyFromMinutesEqualsTheProvidersDailyBars(symbol: String) async throws {
        let range = TestSupport.range("2024-11-25", "2024-12-31")  // Thanksgiving, its early close, Christmas
        let (minutes, daily) = try await TestSupport.sandbox().withRunning { baseURL in
            let client = TestSupport.client(baseURL: baseURL)
            return (
                try await client.aggregates(ticker: symbol, timeframe: .minute, range: range).bars,
                try await client.aggregates(ticker: symbol, timeframe: .day, range: range).bars
            )
        }
        let resampled = try Resampler.resample(
            minutes, calendar: TradingCalendar(), configuration: .init(interval: ResampleInterval(.day)))
        #expect(daily.count == 25)
        #expect(resampled.count == daily.count)
        for (ours, theirs) in zip(resampled, daily) {
            #expect(ours.windowStartMs == theirs.windowStartMs)
            #expect(ours.open == theirs.open && ours.close == theirs.close)
            #expect(ours.high == theirs.high && ours.low == theirs.low)
            #expect(ours.volume == theirs.volume && ours.transactions == theirs.transactions)
            #expect(
                abs((ours.vwap ?? 0) - (theirs.vwap ?? 0)) <= 0.00005 + 1e-12, "the provider rounds VWAP to 4 places")
        }
    }
}
