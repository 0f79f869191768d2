import Testing

@testable import BackfillCore

/// The rolling deviation against an exact two-pass computation over long series, at price levels
/// where `E[x²] − E[x]²` loses most of its digits.
@Suite("Bollinger numerical stability")
struct IndicatorBollingerStabilityTests {
    @Test(arguments: [(1_000.0, 1e-4), (0.01, 1e-3), (1e6, 1e-9), (1e6, 1e-3), (50.0, 0.0)])
    func widthMatchesTwoPassDeviation(level: Double, volatility: Double) {
        var random = SplitMix64(seed: 42)
        var bands = BollingerBands(period: 20, deviations: 2)
        var closes: [Double] = []
        var worst = 0.0
        for index in 0..<20_000 {
            // A volatile stretch, then a calm one, so the sums must shed large past values.
            let scale = (index / 2_000) % 2 == 0 ? volatility * 50 : volatility
            closes.append(level * (1 + scale * random.nextGaussian()))
            guard let value = bands.update(close: closes[index]) else { continue }
            let exact = Self.populationDeviation(closes.suffix(20))
            // The band itself is rounded to the middle's ulp (1.2e-10 at 1e6); only error beyond that counts.
            let error = max(abs((value.upper - value.middle) / 2 - exact) - value.middle.ulp, 0)
            worst = max(worst, error / max(exact, level * 1e-15))
        }
        #expect(worst < 1e-11, "worst relative error of the deviation \(worst)")
    }

    @Test func flatWindowHasZeroWidth() {
        var bands = BollingerBands(period: 5, deviations: 2)
        for close in [1000.1, 999.7, 1000.3, 1000.0, 999.9] { _ = bands.update(close: close) }
        var last: BollingerBands.Value?
        for _ in 0..<5 { last = bands.update(close: 1000.05) }
        #expect(last?.upper == last?.middle)
        #expect(last?.lower == last?.middle)
    }

    /// Two passes over differences from the first value (exact for nearby doubles), so even at 1e6
    /// the reference keeps the digits a mean rounded to 1e6's ulp would lose.
    static func populationDeviation(_ values: some Collection<Double>) -> Double {
        let origin = values.first ?? 0
        let shifted = values.map { $0 - origin }
        let mean = shifted.reduce(0, +) / Double(shifted.count)
        let squares = shifted.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / Double(values.count)).squareRoot()
    }
}
