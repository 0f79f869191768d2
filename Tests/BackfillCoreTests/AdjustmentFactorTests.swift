import Testing

@testable import BackfillCore

@Suite("Adjustment factors")
struct AdjustmentFactorTests {
    static func date(_ text: String) -> LocalDate {
        guard let date = LocalDate(text) else { preconditionFailure("bad test date \(text)") }
        return date
    }

    /// A bar at `minutes` after New York midnight (03:00…24:00) of `day`.
    static func bar(_ day: String, minutes: Int = 600, price: Double, volume: Double = 1_000) -> Bar {
        Bar(
            windowStartMs: EasternTime.utcMilliseconds(on: date(day), minutesAfterMidnight: minutes), open: price,
            high: price * 1.01, low: price * 0.99, close: price, volume: volume, vwap: price, transactions: 7)
    }

    @Test func splitHalvesEarlierPricesAndDoublesTheirVolume() {
        let factors = AdjustmentFactors(
            splits: [Split(executionDate: Self.date("2026-03-10"), splitFrom: 1, splitTo: 2)], dividends: [],
            closes: [])
        // The previous day's post-market is still pre-split; the execution day's pre-market is not.
        let before = factors.adjusted(Self.bar("2026-03-09", minutes: 19 * 60 + 59, price: 100))
        #expect(before.close == 50)
        #expect(before.high == 50.5)
        #expect(before.vwap == 50)
        #expect(before.volume == 2_000)
        #expect(before.transactions == 7)
        let after = Self.bar("2026-03-10", minutes: 4 * 60, price: 50)
        #expect(factors.adjusted(after) == after)
        #expect(factors.issues.isEmpty)
    }

    @Test func dividendUsesThePreviousSessionClose() {
        let closes = [
            SessionClose(date: Self.date("2026-03-05"), close: 40),
            SessionClose(date: Self.date("2026-03-06"), close: 50),
            SessionClose(date: Self.date("2026-03-09"), close: 49.5),
        ]
        let factors = AdjustmentFactors(
            splits: [], dividends: [CashDividend(exDividendDate: Self.date("2026-03-09"), cashAmount: 0.5)],
            closes: closes)
        #expect(factors.priceFactor(on: Self.date("2026-03-06")) == 1 - 0.5 / 50)
        #expect(factors.priceFactor(on: Self.date("2026-03-09")) == 1)
        // Dividends leave volume alone.
        #expect(factors.volumeFactor(on: Self.date("2026-03-06")) == 1)
        #expect(factors.adjusted(Self.bar("2026-03-06", price: 50)).volume == 1_000)
    }

    @Test func kindsSelectSplitsDividendsOrBoth() {
        let factors = AdjustmentFactors(
            splits: [Split(executionDate: Self.date("2026-06-01"), splitFrom: 1, splitTo: 4)],
            dividends: [CashDividend(exDividendDate: Self.date("2026-03-02"), cashAmount: 1)],
            closes: [SessionClose(date: Self.date("2026-02-27"), close: 200)])
        let early = Self.date("2026-02-27")
        #expect(factors.priceFactor(on: early, kind: .splits) == 0.25)
        #expect(factors.priceFactor(on: early, kind: .dividends) == 0.995)
        #expect(factors.priceFactor(on: early, kind: .all) == 0.25 * 0.995)
        #expect(factors.priceFactor(on: early, kind: []) == 1)
        #expect(factors.volumeFactor(on: early, kind: .dividends) == 1)
        #expect(factors.volumeFactor(on: early, kind: .all) == 4)
        // Between the two events only the later split applies.
        #expect(factors.priceFactor(on: Self.date("2026-04-01")) == 0.25)
        #expect(factors.priceFactor(on: Self.date("2026-06-01")) == 1)
    }

    /// Polygon's `historical_adjustment_factor` (`/stocks/v1/splits` and `/stocks/v1/dividends`,
    /// `../shared/polygon-fixtures/rest-spec-examples/stocks/v1/`): for a price on date D, the factor
    /// of the first event after D, already cumulative. The AAPL examples: split 2005-02-28 → 0.017857,
    /// dividend 2025-08-11 → 0.997899 (given to 6 decimals).
    @Test func agreesWithPolygonsHistoricalAdjustmentFactor() {
        // AAPL's splits since 2005: 2-for-1, 7-for-1, 4-for-1 → 1/56 before the first.
        let splits = [
            Split(executionDate: Self.date("2005-02-28"), splitFrom: 1, splitTo: 2),
            Split(executionDate: Self.date("2014-06-09"), splitFrom: 1, splitTo: 7),
            Split(executionDate: Self.date("2020-08-31"), splitFrom: 1, splitTo: 4),
        ]
        // The 2025-08-11 factor also covers the next $0.26 dividend (ex 2025-11-10); AAPL closed at
        // 229.35 on 2025-08-08 and 268.47 on 2025-11-07, the sessions before the two ex-dates.
        let dividends = [
            CashDividend(exDividendDate: Self.date("2025-08-11"), cashAmount: 0.26),
            CashDividend(exDividendDate: Self.date("2025-11-10"), cashAmount: 0.26),
        ]
        let closes = [
            SessionClose(date: Self.date("2025-08-08"), close: 229.35),
            SessionClose(date: Self.date("2025-11-07"), close: 268.47),
        ]
        let factors = AdjustmentFactors(splits: splits, dividends: dividends, closes: closes)
        #expect(factors.issues.isEmpty)
        let splitFactor = factors.priceFactor(on: Self.date("2005-02-25"), kind: .splits)
        #expect(abs(splitFactor - 0.017857) <= 5e-7)
        #expect(abs(splitFactor - 1.0 / 56) <= 1e-15)
        let dividendFactor = factors.priceFactor(on: Self.date("2025-08-08"), kind: .dividends)
        #expect(abs(dividendFactor - 0.997899) <= 5e-7)
    }

    @Test func closesComeFromDailyBarsByNewYorkDate() {
        // Polygon's daily bars start at New York midnight (05:00Z in winter, 04:00Z in summer).
        let bars = [
            Self.bar("2026-03-09", minutes: 24 * 60, price: 12),
            Self.bar("2026-03-06", minutes: 24 * 60, price: 11),
            Self.bar("2026-03-05", minutes: 24 * 60, price: 10),
        ]
        let closes = SessionClose.closes(fromDailyBars: bars)
        #expect(closes.map(\.date) == ["2026-03-06", "2026-03-07", "2026-03-10"].map(Self.date))
        #expect(closes.map(\.close) == [10, 11, 12])
    }

    @Test func adjustedSeriesScalesEachBarByItsOwnDate() {
        let factors = AdjustmentFactors(
            splits: [Split(executionDate: Self.date("2026-03-10"), splitFrom: 1, splitTo: 2)],
            dividends: [CashDividend(exDividendDate: Self.date("2026-03-05"), cashAmount: 1)],
            closes: [SessionClose(date: Self.date("2026-03-04"), close: 100)])
        let raw = [
            Self.bar("2026-03-04", price: 100), Self.bar("2026-03-06", price: 100), Self.bar("2026-03-10", price: 50),
        ]
        #expect(factors.adjusted(raw, kind: .splits).map(\.close) == [50, 50, 50])
        #expect(factors.adjusted(raw, kind: .dividends).map(\.close) == [99, 100, 50])
        #expect(factors.adjusted(raw).map(\.close) == [49.5, 50, 50])
        #expect(factors.adjusted(raw).map(\.volume) == [2_000, 2_000, 1_000])
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func adjustThenUnadjustIsIdentity(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let start = Self.date("2020-01-01")
        let splits = (0..<3).map { index in
            Split(
                executionDate: start.adding(days: 200 * index + Int(random.next() % 150)),
                splitFrom: Double(1 + random.next() % 3), splitTo: Double(1 + random.next() % 10))
        }
        let closes = (0..<800).map { SessionClose(date: start.adding(days: $0), close: 20 + random.nextUnit() * 100) }
        let dividends = (0..<8).map { index in
            CashDividend(exDividendDate: start.adding(days: 90 * index + 5), cashAmount: 0.05 + random.nextUnit())
        }
        let factors = AdjustmentFactors(splits: splits, dividends: dividends, closes: [])
        let withCloses = AdjustmentFactors(splits: [], dividends: dividends, closes: closes)
        for kind in [AdjustmentFactors.Kind.splits, .dividends, .all] {
            for day in stride(from: 0, to: 800, by: 7) {
                let raw = Self.bar(start.adding(days: day).description, price: 10 + random.nextUnit() * 500)
                for table in [factors, withCloses] {
                    let back = table.unadjusted(table.adjusted(raw, kind: kind), kind: kind)
                    #expect(Self.close(back, raw), "\(kind) day \(day)")
                }
            }
        }
    }

    static func close(_ lhs: Bar, _ rhs: Bar) -> Bool {
        func near(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * abs(b) }
        return lhs.windowStartMs == rhs.windowStartMs && near(lhs.open, rhs.open) && near(lhs.high, rhs.high)
            && near(lhs.low, rhs.low) && near(lhs.close, rhs.close) && near(lhs.volume, rhs.volume)
            && near(lhs.vwap ?? 0, rhs.vwap ?? 0) && lhs.transactions == rhs.transactions
    }
}
