import Foundation
import Testing

@testable import BackfillCore

/// The TA-Lib golden files in `Fixtures/talib` (made by `Fixtures/talib/generate.py`).
enum IndicatorGoldenFixtures {
    /// One parameter set of `generate.py`'s `PARAMETER_SETS`.
    struct ParameterSet: Sendable, CustomTestStringConvertible {
        var name: String
        var sma: Int
        var ema: Int
        var rsi: Int
        var macd: (fast: Int, slow: Int, signal: Int)
        var bollinger: (period: Int, deviations: Double)

        var testDescription: String { name }
    }

    /// TA-Lib's outputs at one bar; nil where TA-Lib gives NaN.
    struct Row: Sendable {
        var series: String
        var index: Int
        var values: [Double?]
    }

    static let columns = [
        "sma", "ema", "rsi", "macd", "macd_signal", "macd_hist", "bb_upper", "bb_middle", "bb_lower",
    ]

    static let parameterSets: [ParameterSet] = [
        ParameterSet(name: "default", sma: 20, ema: 20, rsi: 14, macd: (12, 26, 9), bollinger: (20, 2)),
        ParameterSet(name: "short", sma: 2, ema: 2, rsi: 2, macd: (2, 3, 1), bollinger: (2, 3)),
        ParameterSet(name: "long", sma: 50, ema: 9, rsi: 21, macd: (5, 35, 5), bollinger: (10, 1.5)),
    ]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/talib")

    /// Lines of a fixture file without its header, split at commas.
    static func records(_ file: String) throws -> [[Substring]] {
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
    }

    /// Input closes by series name, in bar order.
    static func inputs() throws -> [String: [Double]] {
        var closes: [String: [Double]] = [:]
        for fields in try records("inputs.csv") {
            closes[String(fields[0]), default: []].append(try #require(Double(String(fields[2]))))
        }
        return closes
    }

    /// Golden rows of one parameter set, in file order (series by series, bar by bar).
    static func rows(of set: ParameterSet) throws -> [Row] {
        try records("\(set.name).csv").map { fields in
            Row(
                series: String(fields[0]), index: try #require(Int(String(fields[1]))),
                values: fields.dropFirst(2).map { $0.isEmpty ? nil : Double(String($0)) })
        }
    }

    /// Bars one minute apart whose OHLC are all `close`.
    static func bars(_ closes: [Double]) -> [Bar] {
        closes.enumerated().map { index, close in
            Bar(
                windowStartMs: 1_767_225_600_000 + Int64(index) * 60_000, open: close, high: close, low: close,
                close: close, volume: 100)
        }
    }

    /// Whether `actual` is within 1e-9 relative of TA-Lib's `expected`, and absent exactly where it is.
    static func agrees(_ actual: Double?, _ expected: Double?) -> Bool {
        switch (actual, expected) {
        case (nil, nil): return true
        case (let actual?, let expected?): return abs(actual - expected) <= 1e-9 * abs(expected)
        default: return false
        }
    }
}
