import BackfillCore
import Synchronization

/// Shares one request budget across every task of a client: callers await their turn.
///
/// The arithmetic lives in the pure ``TokenBucket``; this type only reads the clock and sleeps.
public final class RateLimiter: Sendable {
    private let bucket: Mutex<TokenBucket?>
    private let origin = ContinuousClock.now
    private let waited = Mutex<Double>(0)

    /// - Parameter requestsPerMinute: nil for no limit.
    public init(requestsPerMinute: Double?) {
        self.bucket = Mutex(requestsPerMinute.map { TokenBucket(requestsPerMinute: $0) })
    }

    /// Waits until the next request may be sent.
    public func acquire() async throws {
        let now = ContinuousClock.now - origin
        let seconds = Double(now.components.seconds) + Double(now.components.attoseconds) * 1e-18
        let wait = bucket.withLock { $0?.reserve(at: seconds) ?? 0 }
        guard wait > 0 else { return }
        waited.withLock { $0 += wait }
        try await Task.sleep(for: .milliseconds(Int64((wait * 1_000).rounded(.up))))
    }

    /// Requests that may be sent right now without waiting (negative: that many are queued); nil
    /// when there is no limit.
    public var available: Double? {
        let now = ContinuousClock.now - origin
        let seconds = Double(now.components.seconds) + Double(now.components.attoseconds) * 1e-18
        return bucket.withLock { $0?.available(at: seconds) }
    }

    /// Total seconds callers have waited for the budget so far.
    public var secondsWaited: Double { waited.withLock { $0 } }
}
