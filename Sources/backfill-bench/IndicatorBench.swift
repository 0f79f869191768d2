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
        var elapsed = Duration.zero
        var cpuSeconds = 0.0
        var checksum = 0.0
        let clock = ContinuousClock()
        for series in 0..<seriesCount {
            fill(&bars, series: series, random: &random)
            // Defaults are valid by construction; a failure here is a bug in the defaults.
            guard var engine = try? IndicatorEngine() else { preconditionFailure("default configuration rejected") }
            let start = clock.now
            let cpuStart = threadCPUSeconds()
            for bar in bars {
                guard let values = engine.update(bar) else { continue }
                checksum += (values.macd?.histogram ?? 0) + (values.bollinger?.upper ?? 0) + (values.vwap ?? 0)
            }
            cpuSeconds += threadCPUSeconds() - cpuStart
            elapsed += clock.now - start
        }
        report(elapsed: elapsed, cpuSeconds: cpuSeconds, checksum: checksum)
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

    /// CPU time of the calling thread: less disturbed than wall time when other work shares the cores.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    static func report(elapsed: Duration, cpuSeconds: Double, checksum: Double) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let total = Double(seriesCount * barsPerSeries)
        print("| case | bars | wall s | bars/s (wall) | bars/s (thread CPU) |\n|---|---:|---:|---:|---:|")
        print(
            "| indicator engine, all six per bar (SMA20 EMA20 RSI14 MACD12/26/9 BB20/2 VWAP), 1,000 series x 10,000 "
                + "| \(Int(total)) | \(String(format: "%.3f", seconds)) | \(Int(total / seconds)) "
                + "| \(Int(total / cpuSeconds)) |")
        print("checksum \(checksum)")
    }
}
