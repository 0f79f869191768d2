import BackfillCore
import Foundation
import Testing

@Suite("Latency histogram")
struct LatencyHistogramTests {
    /// The bucket index of every bound, of values just above it, and of the extremes.
    @Test func valuesFallIntoTheBucketOfTheFirstBoundAtOrAboveThem() {
        let bounds = LatencyHistogram.bounds
        for (index, bound) in bounds.enumerated() {
            var atBound = LatencyHistogram()
            atBound.record(seconds: bound)
            #expect(atBound.buckets.firstIndex(of: 1) == index, "\(bound) s")
            var above = LatencyHistogram()
            above.record(seconds: bound * 1.001)
            #expect(above.buckets.firstIndex(of: 1) == index + 1, "just above \(bound) s")
        }
        var extremes = LatencyHistogram()
        extremes.record(seconds: 0)
        extremes.record(seconds: -1)  // a clock that went backwards counts as 0
        extremes.record(seconds: 3_600)
        #expect(extremes.buckets.first == 2 && extremes.buckets.last == 1)
        #expect(extremes.count == 3 && extremes.sum == 3_600 && extremes.min == 0 && extremes.max == 3_600)
        #expect(extremes.buckets.count == bounds.count + 1)
    }

    @Test func durationsAreRecordedInSeconds() {
        var histogram = LatencyHistogram()
        histogram.record(.milliseconds(150))
        histogram.record(.microseconds(2_500))
        #expect(abs(histogram.sum - 0.1525) < 1e-12)
        #expect(histogram.buckets[LatencyHistogram.bounds.firstIndex(of: 0.25)!] == 1)
        #expect(histogram.buckets[LatencyHistogram.bounds.firstIndex(of: 0.0025)!] == 1)
    }

    /// Merging equals recording everything into one; the order of merges does not matter.
    @Test func mergeEqualsRecordingEverythingIntoOne() {
        var generator = SplitMix64(seed: 11)
        let values = (0..<500).map { _ in pow(10, generator.nextUnit() * 6 - 4) }  // 0.1 ms … 100 s
        var all = LatencyHistogram()
        var parts = [LatencyHistogram](repeating: LatencyHistogram(), count: 3)
        for (index, value) in values.enumerated() {
            all.record(seconds: value)
            parts[index % 3].record(seconds: value)
        }
        let merged = parts[0].merged(with: parts[1]).merged(with: parts[2])
        let reversed = parts[2].merged(with: parts[1].merged(with: parts[0]))
        #expect(merged.count == all.count && merged.buckets == all.buckets)
        #expect(merged.min == all.min && merged.max == all.max)
        #expect(abs(merged.sum - all.sum) < 1e-9 && abs(reversed.sum - all.sum) < 1e-9)
        #expect(reversed.buckets == all.buckets)
        #expect(LatencyHistogram().merged(with: all) == all)
    }

    /// The estimate lies in the bucket of the exact quantile and within [min, max]; all values equal: exact.
    @Test func percentilesComeFromTheRightBucket() throws {
        var generator = SplitMix64(seed: 5)
        let values = (0..<1_000).map { _ in 0.002 + generator.nextUnit() * generator.nextUnit() * 0.8 }
        var histogram = LatencyHistogram()
        for value in values { histogram.record(seconds: value) }
        let sorted = values.sorted()
        for fraction in [0.01, 0.25, 0.5, 0.9, 0.99] {
            let exact = sorted[Int((fraction * Double(sorted.count)).rounded(.up)) - 1]
            let estimate = try #require(histogram.quantile(fraction))
            let bucket = LatencyHistogram.bounds.firstIndex { exact <= $0 }
            #expect(
                LatencyHistogram.bounds.firstIndex { estimate <= $0 } == bucket, "q\(fraction): \(estimate) vs \(exact)"
            )
            #expect(estimate >= sorted.first! && estimate <= sorted.last!)
        }
        var constant = LatencyHistogram()
        for _ in 0..<10 { constant.record(seconds: 0.15) }
        #expect(constant.p50 == 0.15 && constant.p99 == 0.15)
        #expect(LatencyHistogram().p50 == nil && LatencyHistogram().mean == nil)
        // Nine fast and one slow: the median is fast, the 99th percentile is the slow one's bucket.
        var mixed = LatencyHistogram()
        for _ in 0..<9 { mixed.record(seconds: 0.004) }
        mixed.record(seconds: 2)
        #expect(try #require(mixed.p50) <= 0.005)
        #expect(try #require(mixed.p99) > 1 && mixed.p99! <= 2)
    }

    @Test func jsonKeepsTheBucketsAndRejectsOtherBounds() throws {
        var histogram = LatencyHistogram()
        for value in [0.003, 0.04, 0.04, 1.7] { histogram.record(seconds: value) }
        let data = try JSONEncoder().encode(histogram)
        #expect(try JSONDecoder().decode(LatencyHistogram.self, from: data) == histogram)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["count"] as? Int == 4 && (object["buckets"] as? [Int])?.reduce(0, +) == 4)
        #expect((object["boundsSeconds"] as? [Double]) == LatencyHistogram.bounds)
        var edited = object
        edited["boundsSeconds"] = [0.1, 1]
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(LatencyHistogram.self, from: try JSONSerialization.data(withJSONObject: edited))
        }
        edited = object
        edited["count"] = 5
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(LatencyHistogram.self, from: try JSONSerialization.data(withJSONObject: edited))
        }
    }
}
