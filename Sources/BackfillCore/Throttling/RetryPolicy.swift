/// How often and how long to wait before repeating a failed request: exponential backoff with full
/// jitter, honouring a server's `Retry-After` when it sends one.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in total, the first included.
    public var maxAttempts: Int
    /// Delay ceiling for the first retry, seconds.
    public var baseDelay: Double
    /// Largest delay ever used, seconds (also caps `Retry-After`).
    public var maxDelay: Double

    public init(maxAttempts: Int = 6, baseDelay: Double = 0.5, maxDelay: Double = 60) {
        precondition(maxAttempts >= 1 && baseDelay >= 0 && maxDelay >= baseDelay, "invalid retry policy")
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    public static let none = RetryPolicy(maxAttempts: 1, baseDelay: 0, maxDelay: 0)

    /// Seconds to wait after failed attempt number `attempt` (1-based).
    /// - Parameters:
    ///   - retryAfter: the server's `Retry-After` in seconds, if any; used as the floor.
    ///   - unitRandom: a number in 0..<1 from the caller's generator (full jitter).
    public func delay(afterAttempt attempt: Int, retryAfter: Double?, unitRandom: Double) -> Double {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(maxDelay, baseDelay * Double(1 << exponent))
        let jittered = ceiling * min(max(unitRandom, 0), 1)
        if let retryAfter, retryAfter > 0 {
            return min(maxDelay, retryAfter) + jittered * 0.1
        }
        return jittered
    }

    /// Parses an HTTP `Retry-After` value given in seconds; HTTP-dates are not used by Polygon.
    public static func parseRetryAfter(_ value: String?) -> Double? {
        guard let value, let seconds = Double(value.trimmingSpaces()), seconds >= 0, seconds.isFinite else {
            return nil
        }
        return seconds
    }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        var slice = self[...]
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return slice
    }
}
