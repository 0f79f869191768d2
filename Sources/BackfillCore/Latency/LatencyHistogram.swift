/// How long operations took (HTTP requests, store writes), in fixed buckets: a count, a sum, the
/// count per bucket, and the fastest and slowest. Small and fixed in size whatever the number of
/// observations, so it travels in every progress snapshot; two histograms add up
/// (``merge(_:)``), so runs can be summed. The bucket bounds are the same for every histogram, so a
/// reader can turn the buckets into Prometheus' cumulative `le` buckets by a running sum.
public struct LatencyHistogram: Sendable, Equatable {
    /// Upper bounds of the buckets, seconds (a 1-2.5-5 series from 0.5 ms to 60 s). A value equal to a
    /// bound falls into that bound's bucket; one above the last bound falls into the overflow bucket.
    public static let bounds: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
    ]

    /// Observations so far.
    public private(set) var count = 0
    /// Sum of the observations, seconds.
    public private(set) var sum = 0.0
    /// Observations per bucket (not cumulative): `buckets[i]` counts values in
    /// (`bounds[i-1]`, `bounds[i]`]; the last element counts those above the last bound.
    public private(set) var buckets = [Int](repeating: 0, count: LatencyHistogram.bounds.count + 1)
    /// The fastest and slowest observation, seconds; nil while empty.
    public private(set) var min: Double?
    public private(set) var max: Double?

    public init() {}

    /// Adds one observation of `seconds` (negative values count as 0).
    public mutating func record(seconds: Double) {
        let value = Swift.max(0, seconds.isFinite ? seconds : 0)
        count += 1
        sum += value
        buckets[Self.bucket(of: value)] += 1
        min = Swift.min(min ?? value, value)
        max = Swift.max(max ?? value, value)
    }

    /// Adds one observation of `duration`.
    public mutating func record(_ duration: Duration) {
        record(seconds: duration.inSeconds)
    }

    /// Adds every observation of `other`.
    public mutating func merge(_ other: LatencyHistogram) {
        count += other.count
        sum += other.sum
        for index in buckets.indices { buckets[index] += other.buckets[index] }
        if let low = other.min { min = Swift.min(min ?? low, low) }
        if let high = other.max { max = Swift.max(max ?? high, high) }
    }

    /// This histogram and `other` together.
    public func merged(with other: LatencyHistogram) -> LatencyHistogram {
        var copy = self
        copy.merge(other)
        return copy
    }

    /// The bucket a value of `seconds` falls into.
    static func bucket(of seconds: Double) -> Int {
        bounds.firstIndex { seconds <= $0 } ?? bounds.count
    }

    /// The `fraction` quantile (0.5 for the median), seconds, estimated from the buckets: linear
    /// within the bucket that holds it, whose edges are narrowed to the fastest and slowest
    /// observation; nil while empty. The estimate lies in the same bucket as the true quantile and
    /// never outside [``min``, ``max``].
    public func quantile(_ fraction: Double) -> Double? {
        guard count > 0, let low = min, let high = max else { return nil }
        let rank = Swift.min(Swift.max(fraction, 0), 1) * Double(count)
        var below = 0
        for (index, inBucket) in buckets.enumerated() where inBucket > 0 {
            guard Double(below + inBucket) >= rank else {
                below += inBucket
                continue
            }
            let lower = Swift.max(index == 0 ? 0 : Self.bounds[index - 1], low)
            let upper = Swift.min(index < Self.bounds.count ? Self.bounds[index] : high, high)
            let share = Swift.max(0, rank - Double(below)) / Double(inBucket)
            return Swift.min(Swift.max(lower + (upper - lower) * share, low), high)
        }
        return high
    }

    /// The median, seconds (``quantile(_:)`` of 0.5).
    public var p50: Double? { quantile(0.5) }
    /// The 99th percentile, seconds.
    public var p99: Double? { quantile(0.99) }
    /// The mean, seconds; nil while empty.
    public var mean: Double? { count > 0 ? sum / Double(count) : nil }
}

extension LatencyHistogram: Codable {
    enum CodingKeys: String, CodingKey {
        case count, sumSeconds, minSeconds, maxSeconds, boundsSeconds, buckets
    }

    /// Written with its bucket bounds, so a saved report says what its buckets mean.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(sum, forKey: .sumSeconds)
        try container.encodeIfPresent(min, forKey: .minSeconds)
        try container.encodeIfPresent(max, forKey: .maxSeconds)
        try container.encode(Self.bounds, forKey: .boundsSeconds)
        try container.encode(buckets, forKey: .buckets)
    }

    /// - Throws: `DecodingError` when the bounds differ from ``bounds`` or the counts do not add up.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let bounds = try container.decodeIfPresent([Double].self, forKey: .boundsSeconds) ?? Self.bounds
        let buckets = try container.decode([Int].self, forKey: .buckets)
        count = try container.decode(Int.self, forKey: .count)
        guard bounds == Self.bounds, buckets.count == bounds.count + 1, buckets.reduce(0, +) == count else {
            throw DecodingError.dataCorruptedError(
                forKey: .buckets, in: container,
                debugDescription: "a latency histogram needs \(Self.bounds.count + 1) buckets over the bounds "
                    + "\(Self.bounds) adding up to its count \(count)")
        }
        self.buckets = buckets
        sum = try container.decode(Double.self, forKey: .sumSeconds)
        min = try container.decodeIfPresent(Double.self, forKey: .minSeconds)
        max = try container.decodeIfPresent(Double.self, forKey: .maxSeconds)
    }
}

extension Duration {
    /// The duration in seconds.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
