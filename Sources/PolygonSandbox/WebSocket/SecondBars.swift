import BackfillCore

/// Derives a minute's second bars and trades from its minute bar, deterministically: the same
/// (seed, symbol, minute) always gives the same seconds and trades.
///
/// A minute with volume V is split into k = 3…6 one-second bars (one when V < 3) at distinct
/// seconds of the minute. Their prices walk open → low → high → close (or open → high → low →
/// close on a down minute), so the seconds' first open, last close, highest high and lowest low
/// are the minute's; their volumes are whole shares, at least one each, summing to V exactly.
/// Each second's trades print at its open and its close (one trade when they are equal or the
/// volume is one share), with sizes summing to the second's volume.
struct SecondBars: Sendable {
    let seed: UInt64

    /// The second bars of `bar` (a minute bar of `symbol`), in time order.
    func seconds(of bar: Bar, symbol: String) -> [Bar] {
        var rng = generator(symbol, bar.windowStartMs, salt: 0x5EC0)
        var k = 3 + Int(rng.next() % 4)
        if bar.volume < Double(k) { k = bar.volume >= 3 ? 3 : 1 }
        let offsets = distinctSeconds(count: k, using: &rng)
        let prices = waypoints(of: bar, count: k)
        let volumes = SecondBars.split(bar.volume, into: k, using: &rng)
        return (0..<k).map { i in
            let (open, close) = k == 1 ? (bar.open, bar.close) : (prices[i], prices[i + 1])
            let high = k == 1 ? bar.high : max(open, close)
            let low = k == 1 ? bar.low : min(open, close)
            let vwap = min(max(SecondBars.round4((high + low + close) / 3), low), high)
            let trades = open == close || volumes[i] < 2 ? 1 : 2
            return Bar(
                windowStartMs: bar.windowStartMs + Int64(offsets[i]) * 1_000, open: open, high: high, low: low,
                close: close, volume: volumes[i], vwap: vwap, transactions: Int64(trades))
        }
    }

    /// The trades printed during `second` (a second bar of `symbol`), in time order.
    func trades(of second: Bar, symbol: String) -> [SandboxTrade] {
        var rng = generator(symbol, second.windowStartMs, salt: 0x7AD3)
        var prices = tradePrices(of: second)
        if second.volume < Double(prices.count) { prices = [second.close] }
        let sizes = SecondBars.split(second.volume, into: prices.count, using: &rng)
        let spacing = 1_000 / Int64(prices.count)
        return prices.indices.map { i in
            let exchanges = [4, 10, 11, 12, 19]
            return SandboxTrade(
                symbol: symbol, timestampMs: second.windowStartMs + Int64(i) * spacing + Int64(rng.next() % 50),
                price: prices[i], size: sizes[i], exchange: exchanges[Int(rng.next() % 5)],
                id: String(rng.next() % 1_000_000_000), sequence: second.windowStartMs / 1_000 * 10 + Int64(i),
                conditions: rng.nextUnit() < 0.3 ? [14, 41] : nil)
        }
    }

    /// Prices a second's trades print at: its open and its close, once each when equal.
    private func tradePrices(of second: Bar) -> [Double] {
        second.open == second.close ? [second.close] : [second.open, second.close]
    }

    private func generator(_ symbol: String, _ startMs: Int64, salt: UInt64) -> SplitMix64 {
        SplitMix64(seed: SplitMix64.stableHash(symbol, seed: seed ^ salt) ^ UInt64(bitPattern: startMs))
    }

    /// `count` distinct seconds of a minute (0…59), ascending.
    private func distinctSeconds(count: Int, using rng: inout SplitMix64) -> [Int] {
        var pool = Array(0..<60)
        for i in 0..<count {
            pool.swapAt(i, i + Int(rng.next() % UInt64(60 - i)))
        }
        return pool.prefix(count).sorted()
    }

    /// `count + 1` prices from open to close through both extremes.
    private func waypoints(of bar: Bar, count: Int) -> [Double] {
        guard count >= 3 else { return [bar.open, bar.close] }
        let rising = bar.close >= bar.open
        let first = rising ? bar.low : bar.high, second = rising ? bar.high : bar.low
        var points = [bar.open, first, second]
        for j in 3..<count {
            points.append(SecondBars.round4(second + (bar.close - second) * Double(j - 2) / Double(count - 2)))
        }
        points.append(bar.close)
        return points
    }

    /// Splits `total` shares into `parts` whole-share amounts of at least one each (when `total`
    /// allows), random in proportion, summing to `total` exactly (any fraction goes to the last).
    static func split(_ total: Double, into parts: Int, using rng: inout SplitMix64) -> [Double] {
        let whole = total.rounded(.down)
        guard parts > 1, whole >= Double(parts) else {
            return [total] + Array(repeating: 0, count: max(0, parts - 1))
        }
        let weights = (0..<parts).map { _ in 1 + Double(rng.next() % 100) }
        let spare = whole - Double(parts), sum = weights.reduce(0, +)
        var shares = weights.map { 1 + ($0 / sum * spare).rounded(.down) }
        shares[parts - 1] += total - shares.reduce(0, +)
        return shares
    }

    static func round4(_ value: Double) -> Double {
        (value * 10_000).rounded() / 10_000
    }
}

/// One synthetic trade of the sandbox's feed (`T`).
struct SandboxTrade: Sendable, Equatable {
    var symbol: String
    /// ms UTC.
    var timestampMs: Int64
    var price: Double
    /// Shares.
    var size: Double
    var exchange: Int
    var id: String
    var sequence: Int64
    var conditions: [Int]?
}
