import Foundation
import Testing

@testable import BackfillCore

@Suite("Indicator engine")
struct EngineTests {
    @Test func defaultsAreTheCommonChartSet() throws {
        let configuration = IndicatorEngine.Configuration()
        #expect(configuration.smaPeriod == 20)
        #expect(configuration.emaPeriod == 20)
        #expect(configuration.rsiPeriod == 14)
        #expect(configuration.macd == .init(fast: 12, slow: 26, signal: 9))
        #expect(configuration.bollinger == .init(period: 20, deviations: 2))
        #expect(configuration.vwap == .typicalPrice)
    }

    @Test func warmUpEndsWhereEachIndicatorsDoes() throws {
        let bars = IndicatorPropertyTests.walk(seed: 3, count: 40)
        let values = try IndicatorEngine().values(over: bars).map { try #require($0) }
        #expect(values.firstIndex { $0.sma != nil } == 19)
        #expect(values.firstIndex { $0.ema != nil } == 19)
        #expect(values.firstIndex { $0.rsi != nil } == 14)
        #expect(values.firstIndex { $0.macd != nil } == 33)
        #expect(values.firstIndex { $0.bollinger != nil } == 19)
        #expect(values.firstIndex { $0.vwap != nil } == values.firstIndex { _ in true })
    }

    @Test func unconfiguredIndicatorsStayNil() throws {
        let configuration = IndicatorEngine.Configuration(
            smaPeriod: 3, emaPeriod: nil, rsiPeriod: nil, macd: nil, bollinger: nil, vwap: nil)
        var engine = try IndicatorEngine(configuration: configuration)
        let bars = IndicatorPropertyTests.walk(seed: 4, count: 5)
        let last = try #require(engine.values(over: bars).last ?? nil)
        #expect(last == IndicatorEngine.Values(sma: SMA(period: 3).values(over: bars).last ?? nil))
        for bar in bars { _ = engine.update(bar) }
        #expect(engine.isReady)
    }

    @Test func barsNotAfterTheLastOneAreIgnored() throws {
        let bars = IndicatorPropertyTests.walk(seed: 5, count: 60)
        var engine = try IndicatorEngine()
        for bar in bars[..<50] { _ = engine.update(bar) }
        let before = engine
        #expect(engine.update(bars[49]) == nil)
        #expect(engine.update(bars[10]) == nil)
        #expect(engine == before)
        #expect(engine.lastWindowStartMs == bars[49].windowStartMs)
        // Replaying an overlap after a restore continues as if nothing had been replayed.
        let replayed = engine.values(over: bars[40...]).compactMap { $0 }
        #expect(replayed == Array(try IndicatorEngine().values(over: bars)[50...]).compactMap { $0 })
    }

    @Test(arguments: [
        IndicatorEngine.Configuration(smaPeriod: 1),
        IndicatorEngine.Configuration(emaPeriod: 100_001),
        IndicatorEngine.Configuration(rsiPeriod: 0),
        IndicatorEngine.Configuration(macd: .init(fast: 26, slow: 12, signal: 9)),
        IndicatorEngine.Configuration(macd: .init(fast: 12, slow: 26, signal: 0)),
        IndicatorEngine.Configuration(bollinger: .init(period: 20, deviations: 0)),
        IndicatorEngine.Configuration(bollinger: .init(period: 20, deviations: .nan)),
    ])
    func rejectsOutOfRangeParameters(configuration: IndicatorEngine.Configuration) {
        #expect(throws: IndicatorEngine.ConfigurationError.self) { try IndicatorEngine(configuration: configuration) }
    }

    @Test func stateSurvivesAJSONRoundTripWithItsConfiguration() throws {
        let configuration = IndicatorEngine.Configuration(
            smaPeriod: 5, emaPeriod: 9, rsiPeriod: 7, macd: .init(fast: 3, slow: 10, signal: 4),
            bollinger: .init(period: 10, deviations: 1.5), vwap: .barVWAP)
        var engine = try IndicatorEngine(configuration: configuration)
        for bar in IndicatorPropertyTests.walk(seed: 6, count: 30) { _ = engine.update(bar) }
        let decoded = try JSONDecoder().decode(IndicatorEngine.self, from: JSONEncoder().encode(engine))
        #expect(decoded == engine)
        #expect(decoded.configuration == configuration)
    }

    @Test func theCompactSavedStateRoundTripsReadsOldJSONAndRejectsDamage() throws {
        let configuration = IndicatorEngine.Configuration(
            smaPeriod: 5, emaPeriod: 9, rsiPeriod: 7, macd: .init(fast: 3, slow: 10, signal: 4),
            bollinger: .init(period: 10, deviations: 1.5), vwap: .barVWAP)
        var engine = try IndicatorEngine(configuration: configuration)
        let empty = try engine.savedState()
        #expect(try IndicatorEngine(savedState: empty) == engine)  // nothing seen yet: the optionals are nil
        let bars = IndicatorPropertyTests.walk(seed: 6, count: 60)
        for bar in bars[..<30] { _ = engine.update(bar) }
        let saved = try engine.savedState()
        let restored = try IndicatorEngine(savedState: saved)
        #expect(restored == engine && restored.configuration == configuration)
        // Both continue identically.
        var a = engine
        var b = restored
        #expect(bars[30...].map { a.update($0) } == bars[30...].map { b.update($0) })
        // Smaller than the JSON it replaces, which still loads (states saved by earlier versions).
        let json = Array(try JSONEncoder().encode(engine))
        #expect(saved.count * 2 < json.count)
        #expect(try IndicatorEngine(savedState: json) == engine)
        // Cut short or with bytes left over: an error, never a wrong engine.
        #expect(throws: DecodingError.self) { try IndicatorEngine(savedState: Array(saved.dropLast(3))) }
        #expect(throws: DecodingError.self) { try IndicatorEngine(savedState: saved + [0]) }
    }
}
