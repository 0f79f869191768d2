import Foundation
import Testing

@testable import BackfillCore

/// Properties every incremental indicator must have: batch equals bar-by-bar, and a JSON snapshot
/// taken anywhere continues exactly like the uninterrupted run.
@Suite("Indicator properties")
struct IndicatorPropertyTests {
    /// A random walk of minute bars spanning several New York days, with a flat stretch.
    static func walk(seed: UInt64, count: Int = 1_500, start: Double = 100) -> [Bar] {
        var random = SplitMix64(seed: seed)
        var price = start
        return (0..<count).map { index in
            if !(600..<700).contains(index) { price *= 1 + 0.002 * random.nextGaussian() }
            let spread = price * 0.001 * random.nextUnit()
            return Bar(
                windowStartMs: 1_767_330_000_000 + Int64(index) * 300_000, open: price, high: price + spread,
                low: price - spread, close: price, volume: (1_000 * random.nextUnit()).rounded())
        }
    }

    static let splitPoints = [0, 1, 13, 14, 25, 33, 34, 650, 1_499]

    @Test(arguments: [UInt64(1), 2, 3])
    func incrementalEqualsBatch(seed: UInt64) {
        let bars = Self.walk(seed: seed)
        Self.checkIncremental(SMA(period: 20), bars)
        Self.checkIncremental(EMA(period: 20), bars)
        Self.checkIncremental(RSI(period: 14), bars)
        Self.checkIncremental(MACD(fast: 12, slow: 26, signal: 9), bars)
        Self.checkIncremental(BollingerBands(period: 20, deviations: 2), bars)
        Self.checkIncremental(SessionVWAP(), bars)
    }

    @Test(arguments: splitPoints)
    func snapshotRestoreContinuesIdentically(split: Int) throws {
        let bars = Self.walk(seed: 7)
        try Self.checkSnapshot(SMA(period: 20), bars, split: split)
        try Self.checkSnapshot(EMA(period: 20), bars, split: split)
        try Self.checkSnapshot(RSI(period: 14), bars, split: split)
        try Self.checkSnapshot(MACD(fast: 12, slow: 26, signal: 9), bars, split: split)
        try Self.checkSnapshot(BollingerBands(period: 20, deviations: 2), bars, split: split)
        try Self.checkSnapshot(SessionVWAP(priceSource: .barVWAP), bars, split: split)
    }

    @Test(arguments: splitPoints)
    func engineSnapshotRestoreContinuesIdentically(split: Int) throws {
        let bars = Self.walk(seed: 11)
        let fresh = try IndicatorEngine()
        let whole = fresh.values(over: bars)
        var first = fresh
        for bar in bars[..<split] { _ = first.update(bar) }
        let snapshot = try JSONEncoder().encode(first)
        let restored = try JSONDecoder().decode(IndicatorEngine.self, from: snapshot)
        #expect(restored == first)
        #expect(restored.values(over: bars[split...]) == Array(whole[split...]))
    }

    @Test func resetReturnsToTheInitialState() throws {
        let bars = Self.walk(seed: 5, count: 100)
        var engine = try IndicatorEngine()
        let initial = engine
        for bar in bars { _ = engine.update(bar) }
        #expect(engine.isReady)
        engine.reset()
        #expect(engine == initial)
        var bands = BollingerBands(period: 5, deviations: 2)
        for bar in bars { _ = bands.update(bar) }
        bands.reset()
        #expect(bands == BollingerBands(period: 5, deviations: 2))
    }

    static func checkIncremental<I: Indicator>(_ indicator: I, _ bars: [Bar]) {
        let batch = indicator.values(over: bars)
        var incremental = indicator
        var values: [I.Value?] = []
        for bar in bars { values.append(incremental.update(bar)) }
        #expect(values == batch, "\(I.self)")
        for split in splitPoints {
            var resumed = indicator
            let head = bars[..<split].map { resumed.update($0) }
            #expect(head + resumed.values(over: bars[split...]) == batch, "\(I.self) split at \(split)")
        }
    }

    static func checkSnapshot<I: Indicator>(_ indicator: I, _ bars: [Bar], split: Int) throws {
        let whole = indicator.values(over: bars)
        var first = indicator
        for bar in bars[..<split] { _ = first.update(bar) }
        let restored = try JSONDecoder().decode(I.self, from: JSONEncoder().encode(first))
        #expect(restored == first, "\(I.self)")
        #expect(restored.isReady == (split > 0 && whole[split - 1] != nil), "\(I.self)")
        #expect(restored.values(over: bars[split...]) == Array(whole[split...]), "\(I.self) at \(split)")
    }
}
