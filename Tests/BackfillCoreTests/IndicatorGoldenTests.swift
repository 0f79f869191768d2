import Testing

@testable import BackfillCore

/// Every bar of every golden series against TA-Lib 0.8.x: 1e-9 relative, and absent exactly where
/// TA-Lib gives NaN.
@Suite("Indicators match TA-Lib")
struct IndicatorGoldenTests {
    typealias Fixtures = IndicatorGoldenFixtures

    @Test(arguments: Fixtures.parameterSets)
    func engineMatchesTALib(set: Fixtures.ParameterSet) throws {
        let computed = try Self.computed(set)
        let rows = try Fixtures.rows(of: set)
        #expect(rows.count >= 600)
        var mismatches: [String] = []
        for row in rows {
            let actual = Self.flatten(try #require(computed[row.series]?[row.index]))
            for (column, pair) in zip(Fixtures.columns, zip(actual, row.values)) where !Fixtures.agrees(pair.0, pair.1)
            {
                mismatches.append("\(row.series)[\(row.index)] \(column): \(pair.0 ?? .nan) vs \(pair.1 ?? .nan)")
            }
        }
        #expect(mismatches.count == 0, "\(mismatches.count) mismatches, first: \(mismatches.prefix(8))")
    }

    /// SMA, EMA and MACD follow TA-Lib's arithmetic step for step (fused multiply-add included), so
    /// they agree to the last bit; a drift here means a convention changed.
    @Test(arguments: Fixtures.parameterSets)
    func movingAveragesAreBitIdentical(set: Fixtures.ParameterSet) throws {
        let computed = try Self.computed(set)
        var differing: [String] = []
        for row in try Fixtures.rows(of: set) {
            let actual = Self.flatten(try #require(computed[row.series]?[row.index]))
            for column in [0, 1, 3, 4, 5, 7] where actual[column] != row.values[column] {
                differing.append("\(row.series)[\(row.index)] \(Fixtures.columns[column])")
            }
        }
        #expect(differing.count == 0, "first: \(differing.prefix(5))")
    }

    @Test(arguments: Fixtures.parameterSets)
    func standaloneIndicatorsMatchTheEngine(set: Fixtures.ParameterSet) throws {
        let closes = try #require(try Fixtures.inputs()["flat"])
        let bars = Fixtures.bars(closes)
        let engineValues = try Self.engine(set).values(over: bars)
        #expect(SMA(period: set.sma).values(over: bars) == engineValues.map { $0?.sma })
        #expect(EMA(period: set.ema).values(over: bars) == engineValues.map { $0?.ema })
        #expect(RSI(period: set.rsi).values(over: bars) == engineValues.map { $0?.rsi })
        let macd = MACD(fast: set.macd.fast, slow: set.macd.slow, signal: set.macd.signal)
        #expect(macd.values(over: bars) == engineValues.map { $0?.macd })
        let bands = BollingerBands(period: set.bollinger.period, deviations: set.bollinger.deviations)
        #expect(bands.values(over: bars) == engineValues.map { $0?.bollinger })
    }

    static func engine(_ set: Fixtures.ParameterSet) throws -> IndicatorEngine {
        try IndicatorEngine(
            configuration: .init(
                smaPeriod: set.sma, emaPeriod: set.ema, rsiPeriod: set.rsi,
                macd: .init(fast: set.macd.fast, slow: set.macd.slow, signal: set.macd.signal),
                bollinger: .init(period: set.bollinger.period, deviations: set.bollinger.deviations), vwap: nil))
    }

    /// The engine's values over every input series (all bars; rows index into them).
    static func computed(_ set: Fixtures.ParameterSet) throws -> [String: [IndicatorEngine.Values?]] {
        let engine = try engine(set)
        return try Fixtures.inputs().mapValues { engine.values(over: Fixtures.bars($0)) }
    }

    static func flatten(_ values: IndicatorEngine.Values) -> [Double?] {
        [
            values.sma, values.ema, values.rsi, values.macd?.macd, values.macd?.signal, values.macd?.histogram,
            values.bollinger?.upper, values.bollinger?.middle, values.bollinger?.lower,
        ]
    }
}
