import BackfillCore
import Foundation

/// Throughput of the per-symbol indicator engine: all six default indicators (SMA 20, EMA 20, RSI 14,
/// MACD 12/26/9, Bollinger 20/2, session VWAP) per bar over 1,000 series × 10,000 minute bars.
///
/// The series are the same shape as `../shared/peers/bench.py talib` uses (a geometric random walk
/// with 1e-3 steps around 100), generated one series at a time so memory stays small; only the
/// engine updates are timed. Compare with `bench.py talib` (TA-Lib batch SMA+EMA+RSI+MACD+BBANDS
/// over the same 10 M closes) and `bench.py talipp` (incremental `.add()` per indicator).
enum IndicatorBench {
    static let seriesCount = 1_000
    static let barsPerSeries = 10_000

    static func run() {
        var bars = [Bar]()
        bars.reserveCapacity(barsPerSeries)
        var random = SplitMix64(seed: 1)
        var timings = Timings()
        for series in 0..<seriesCount {
            fill(&bars, series: series, random: &random)
            timings.engine(over: bars)
            timings.standalone("SMA(20)", SMA(period: 20), bars)
            timings.standalone("EMA(20)", EMA(period: 20), bars)
            timings.standalone("RSI(14)", RSI(period: 14), bars)
            timings.standalone("MACD(12,26,9)", MACD(fast: 12, slow: 26, signal: 9), bars)
            timings.standalone("BB(20,2)", BollingerBands(period: 20, deviations: 2), bars)
            timings.standalone("session VWAP", SessionVWAP(), bars)
        }
        timings.report(bars: seriesCount * barsPerSeries)
    }

    /// Replaces `bars` with series `series`: consecutive minute bars from 2026-01-05 04:00 New York.
    static func fill(_ bars: inout [Bar], series: Int, random: inout SplitMix64) {
        bars.removeAll(keepingCapacity: true)
        var price = 100.0
        let startMs: Int64 = 1_767_603_600_000 + Int64(series % 7) * 86_400_000
        for index in 0..<barsPerSeries {
            price *= 1 + 1e-3 * random.nextGaussian()
            let spread = price * 5e-4
            bars.append(
                Bar(
                    windowStartMs: startMs + Int64(index) * 60_000, open: price, high: price + spread,
                    low: price - spread, close: price, volume: 100 + Double(index % 50)))
        }
    }

    /// Accumulated wall and thread-CPU time per case, in first-seen order.
    struct Timings {
        var cases: [(name: String, wall: Duration, cpu: Double)] = []
        /// Values produced, summed so the optimizer cannot drop the work.
        var produced = 0

        mutating func engine(over bars: [Bar]) {
            // Defaults are valid by construction; a failure here is a bug in the defaults.
            guard var engine = try? IndicatorEngine() else { preconditionFailure("default configuration rejected") }
            var count = 0
            measure("indicator engine, all six per bar (SMA20 EMA20 RSI14 MACD12/26/9 BB20/2 VWAP)") {
                for bar in bars where engine.update(bar)?.bollinger != nil { count += 1 }
            }
            produced += count
        }

        mutating func standalone<I: Indicator>(_ name: String, _ indicator: I, _ bars: [Bar]) {
            var indicator = indicator
            var count = 0
            measure("standalone \(name) update(bar)") {
                for bar in bars where indicator.update(bar) != nil { count += 1 }
            }
            produced += count
        }

        mutating func measure(_ name: String, _ body: () -> Void) {
            let clock = ContinuousClock()
            let start = clock.now
            let cpuStart = IndicatorBench.threadCPUSeconds()
            body()
            let cpu = IndicatorBench.threadCPUSeconds() - cpuStart
            let wall = clock.now - start
            if let index = cases.firstIndex(where: { $0.name == name }) {
                cases[index].wall += wall
                cases[index].cpu += cpu
            } else {
                cases.append((name, wall, cpu))
            }
        }

        func report(bars: Int) {
            print("| case, 1,000 series x 10,000 bars | bars | wall s | bars/s (wall) | bars/s (thread CPU) |")
            print("|---|---:|---:|---:|---:|")
            for (name, wall, cpu) in cases {
                let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18
                let row = [
                    name, "\(bars)", String(format: "%.3f", seconds), "\(Int(Double(bars) / seconds))",
                    "\(Int(Double(bars) / cpu))",
                ]
                print("| " + row.joined(separator: " | ") + " |")
            }
            print("(\(produced) values produced)")
        }
    }

    /// CPU time of the process (the bench is single-threaded): less disturbed than wall time when
    /// other work shares the cores.
    static func threadCPUSeconds() -> Double {
        Double(clock()) / Double(CLOCKS_PER_SEC)
    }
}
