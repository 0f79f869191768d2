/// A token bucket that hands out reservations: each request takes one token, and when none is left
/// the caller learns how long to wait for its own. Time is passed in, so it is tested without a clock.
public struct TokenBucket: Sendable, Equatable {
    /// Tokens added per second.
    public let ratePerSecond: Double
    /// The most tokens that can accumulate (the allowed burst).
    public let capacity: Double
    private var tokens: Double
    private var lastSeconds: Double?

    /// - Parameters:
    ///   - requestsPerMinute: sustained rate; must be positive.
    ///   - burst: requests allowed at once after a quiet period (default: the per-minute rate when
    ///     below 60, so a free key may spend its 5 requests at once, as Polygon allows).
    public init(requestsPerMinute: Double, burst: Double? = nil) {
        precondition(requestsPerMinute > 0, "a rate limit must be positive")
        self.ratePerSecond = requestsPerMinute / 60
        self.capacity = max(1, burst ?? min(requestsPerMinute, max(1, requestsPerMinute / 60)))
        self.tokens = capacity
    }

    /// Tokens available at time `now` without taking one; negative when callers are queued.
    public func available(at now: Double) -> Double {
        guard let last = lastSeconds, now > last else { return tokens }
        return min(capacity, tokens + (now - last) * ratePerSecond)
    }

    /// Takes one token at time `now` (seconds on any monotonic clock).
    /// - Returns: seconds the caller must wait before sending; 0 when a token was available.
    public mutating func reserve(at now: Double) -> Double {
        if let last = lastSeconds, now > last {
            tokens = min(capacity, tokens + (now - last) * ratePerSecond)
        }
        lastSeconds = max(now, lastSeconds ?? now)
        tokens -= 1
        return tokens >= 0 ? 0 : -tokens / ratePerSecond
    }
}
