/// Delays between reconnect attempts: doubling from `initial` up to `maximum`, back to `initial`
/// once a connection holds. Pure, so the schedule is tested without sockets.
public struct ReconnectBackoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    private var next: Duration

    public init(initial: Duration = .milliseconds(50), maximum: Duration = .seconds(2)) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.next = initial
    }

    /// The pause before the next attempt; each call doubles the one after, up to `maximum`.
    public mutating func nextDelay() -> Duration {
        let delay = next
        next = min(next * 2, maximum)
        return delay
    }

    /// A connection succeeded: the next failure waits `initial` again.
    public mutating func reset() { next = initial }
}
