import BackfillCore
import Testing

@Suite("Rate limit and retry arithmetic")
struct ThrottlingTests {
    @Test func freeTierBucketSpendsFiveThenWaitsTwelveSeconds() {
        var bucket = TokenBucket(requestsPerMinute: 5, burst: 5)
        for _ in 0..<5 { #expect(bucket.reserve(at: 0) == 0) }
        #expect(abs(bucket.reserve(at: 0) - 12) < 1e-9)
        #expect(abs(bucket.reserve(at: 0) - 24) < 1e-9)
        // A minute refills five tokens: the two borrowed above are repaid, three remain.
        #expect(bucket.reserve(at: 60) == 0)
        #expect(bucket.reserve(at: 60) == 0)
        #expect(bucket.reserve(at: 60) == 0)
        #expect(bucket.reserve(at: 60) > 0)
    }

    @Test func sustainedRateIsHonoured() {
        var bucket = TokenBucket(requestsPerMinute: 6_000)  // 100/s
        var clock = 0.0
        for _ in 0..<1_000 { clock += bucket.reserve(at: clock) }
        // The first 100 ride the one-second burst; the other 900 come at 100/s.
        #expect(clock >= 8.99 && clock <= 9.01)
    }

    @Test func backoffGrowsIsCappedAndJittered() {
        let policy = RetryPolicy(maxAttempts: 6, baseDelay: 0.5, maxDelay: 8)
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, unitRandom: 1) == 0.5)
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, unitRandom: 1) == 2)
        #expect(policy.delay(afterAttempt: 10, retryAfter: nil, unitRandom: 1) == 8)
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, unitRandom: 0.25) == 0.5)
    }

    @Test func retryAfterIsAFloor() {
        let policy = RetryPolicy(maxAttempts: 6, baseDelay: 0.5, maxDelay: 60)
        let delay = policy.delay(afterAttempt: 1, retryAfter: 7, unitRandom: 0.5)
        #expect(delay >= 7 && delay < 7.1)
        #expect(RetryPolicy.parseRetryAfter(" 3 ") == 3)
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(RetryPolicy.parseRetryAfter(nil) == nil)
    }

    @Test func splitMixIsDeterministic() {
        var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9)
        for _ in 0..<100 { #expect(a.next() == b.next()) }
        #expect(SplitMix64.stableHash("AAPL") == SplitMix64.stableHash("AAPL"))
        #expect(SplitMix64.stableHash("TpC") != SplitMix64.stableHash("TPC"))
    }

    @Test(arguments: ["AAPL", "BRK.B", "TpC", "NA", "NULL", "X:BTCUSD"])
    func acceptsRealSymbols(symbol: String) {
        #expect(Symbol.problem(with: symbol) == nil)
    }

    @Test(arguments: ["", "AA PL", "A/B", "AAPL;DROP", String(repeating: "A", count: 21)])
    func rejectsBadSymbols(symbol: String) {
        #expect(Symbol.problem(with: symbol) != nil)
    }

    @Test func parsesTickerLists() {
        #expect(Symbol.parseList(" AMD, NVDA,,TSLA ,AMD") == ["AMD", "NVDA", "TSLA"])
    }
}
