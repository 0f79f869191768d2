import Testing

@testable import BackfillCore

@Suite("Session VWAP")
struct IndicatorSessionVWAPTests {
    /// A bar at a New York wall-clock time.
    static func bar(
        _ date: LocalDate, _ minutes: Int, high: Double, low: Double, close: Double, volume: Double,
        vwap: Double? = nil
    ) -> Bar {
        Bar(
            windowStartMs: EasternTime.utcMilliseconds(on: date, minutesAfterMidnight: minutes), open: close,
            high: high, low: low, close: close, volume: volume, vwap: vwap)
    }

    @Test func weightsTypicalPriceByVolume() throws {
        let day = try #require(LocalDate("2026-03-04"))
        var vwap = SessionVWAP()
        #expect(vwap.update(Self.bar(day, 4 * 60, high: 12, low: 9, close: 12, volume: 100)) == 11)
        // (11 × 100 + 20 × 300) / 400
        #expect(vwap.update(Self.bar(day, 9 * 60 + 30, high: 21, low: 19, close: 20, volume: 300)) == 17.75)
        // Post-market still counts.
        #expect(vwap.update(Self.bar(day, 19 * 60 + 59, high: 17.75, low: 17.75, close: 17.75, volume: 50)) == 17.75)
    }

    @Test func barVWAPSourceUsesTheProvidersPriceWhenPresent() throws {
        let day = try #require(LocalDate("2026-03-04"))
        var vwap = SessionVWAP(priceSource: .barVWAP)
        #expect(vwap.update(Self.bar(day, 600, high: 12, low: 9, close: 12, volume: 100, vwap: 10)) == 10)
        // No `vw` on this bar: falls back to the typical price 14.
        #expect(vwap.update(Self.bar(day, 601, high: 15, low: 13, close: 14, volume: 100)) == 12)
    }

    /// Days around both 2026 daylight-saving changes: the reset follows New York midnight, not UTC's.
    @Test(arguments: ["2026-03-07", "2026-03-08", "2026-03-09", "2026-10-31", "2026-11-01", "2026-11-02"])
    func resetsAtNewYorkMidnight(_ text: String) throws {
        let day = try #require(LocalDate(text))
        var vwap = SessionVWAP()
        _ = vwap.update(Self.bar(day.adding(days: -1), 23 * 60 + 59, high: 50, low: 50, close: 50, volume: 10))
        // New York midnight, written as 24:00 of the day before (the helper wants times after 03:00).
        #expect(vwap.update(Self.bar(day.adding(days: -1), 24 * 60, high: 10, low: 10, close: 10, volume: 1)) == 10)
        // 20:00 New York is already the next UTC day; it must still belong to `day`.
        #expect(vwap.update(Self.bar(day, 20 * 60, high: 20, low: 20, close: 20, volume: 1)) == 15)
        #expect(vwap.update(Self.bar(day, 24 * 60 - 1, high: 30, low: 30, close: 30, volume: 2)) == 22.5)
        #expect(vwap.update(Self.bar(day, 24 * 60, high: 7, low: 7, close: 7, volume: 1)) == 7)
    }

    @Test func noValueWhileTheDaysVolumeIsZero() throws {
        let day = try #require(LocalDate("2026-03-04"))
        var vwap = SessionVWAP()
        #expect(vwap.update(Self.bar(day, 600, high: 10, low: 10, close: 10, volume: 0)) == nil)
        #expect(!vwap.isReady)
        #expect(vwap.update(Self.bar(day, 601, high: 11, low: 11, close: 11, volume: 5)) == 11)
        #expect(vwap.isReady)
        #expect(vwap.update(Self.bar(day.adding(days: 1), 600, high: 10, low: 10, close: 10, volume: 0)) == nil)
    }
}
