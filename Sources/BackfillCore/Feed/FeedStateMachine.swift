/// The lifecycle of a live feed connection: connect, greeting, auth, subscriptions, drops,
/// reconnects with backoff, and the gaps they leave.
///
/// A pure state machine in the style of postgres-nio's connection state machine: the client feeds
/// an ``Event`` in, gets an ``Action`` out and does the I/O. It holds the subscriptions the user
/// wants (so a reconnect can resubscribe them all) and the start of the last minute bar seen (so a
/// drop can be reported as a ``FeedGap``). It never holds the API key: ``Action/sendAuth`` asks the
/// caller to send it.
///
/// Events that cannot happen in a state (a second `auth_success`, a bar while reconnecting) are
/// answered with ``Action/none``: the feed is the outside world, and a stray frame must not
/// break the connection.
public struct FeedStateMachine: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Not started.
        case idle
        /// Opening the socket.
        case connecting
        /// The socket is open; waiting for the server's `connected` status.
        case awaitingGreeting
        /// The key was sent; waiting for `auth_success` or `auth_failed`.
        case authenticating
        /// Authenticated; subscriptions are live.
        case streaming
        /// Disconnected; waiting out the backoff before the next connect.
        case waitingToReconnect
        /// Gave up; the feed is over.
        case failed(FeedFailure)
    }

    public enum Event: Sendable, Equatable {
        /// The caller's `run()` begins.
        case start
        /// The WebSocket handshake completed.
        case socketOpened
        /// The server sent `status: connected`.
        case greeted
        /// The server sent `status: auth_success`.
        case authSucceeded
        /// The server sent `status: auth_failed`, with its message.
        case authFailed(message: String)
        /// The user wants these topics (whether or not the feed is connected now).
        case subscribe([FeedTopic])
        /// The user no longer wants these topics.
        case unsubscribe([FeedTopic])
        /// A minute bar starting at `startMs` (ms UTC) arrived.
        case minuteBar(startMs: Int64)
        /// The socket closed or could not be opened. `jitter` is a number in 0..<1 from the
        /// caller's random generator, for the backoff.
        case disconnected(reason: String, retryable: Bool, jitter: Double)
        /// The backoff delay asked for by ``Action/reconnect(afterSeconds:attempt:)`` has passed.
        case reconnectDelayElapsed
    }

    public enum Action: Sendable, Equatable {
        case none
        /// Open a WebSocket to the feed.
        case openSocket
        /// Send `{"action":"auth","params":KEY}`.
        case sendAuth
        /// Send a subscribe or unsubscribe message.
        case send(FeedCommand)
        /// Tell the pipeline which minutes to fill from REST.
        case reportGap(FeedGap)
        /// Wait `afterSeconds`, then send ``Event/reconnectDelayElapsed``; `attempt` counts the
        /// connection attempts since the feed last streamed (1 for the first retry).
        case reconnect(afterSeconds: Double, attempt: Int)
        /// Close the socket and end the feed with this failure.
        case fail(FeedFailure)
    }

    public private(set) var state: State = .idle
    /// Topics the user wants, resubscribed after every reconnect.
    public private(set) var topics: Set<FeedTopic> = []
    /// Start of the newest minute bar seen, ms UTC.
    public private(set) var lastMinuteStartMs: Int64?
    /// Connection attempts that failed since the feed last authenticated.
    public private(set) var consecutiveFailures = 0
    /// A drop waiting for its first minute bar after the reconnect; nil when there is none.
    public private(set) var pendingGap: PendingGap?
    public let reconnectPolicy: RetryPolicy

    /// Where a gap starts, while the feed is away or has not yet seen a new minute bar.
    public struct PendingGap: Sendable, Equatable {
        /// Start of the last minute bar before the first drop, ms UTC; nil if none was seen.
        public var startMs: Int64?
        /// Drops since that bar.
        public var disconnections: Int

        public init(startMs: Int64?, disconnections: Int) {
            self.startMs = startMs
            self.disconnections = disconnections
        }
    }

    /// - Parameters:
    ///   - topics: topics to subscribe once authenticated.
    ///   - reconnectPolicy: backoff between attempts; `maxAttempts` consecutive failed attempts
    ///     (without ever authenticating in between) end the feed.
    public init(topics: some Sequence<FeedTopic> = [], reconnectPolicy: RetryPolicy = FeedStateMachine.defaultPolicy) {
        self.topics = Set(topics)
        self.reconnectPolicy = reconnectPolicy
    }

    /// Ten attempts, from a 0.5 s ceiling doubling up to 30 s, with full jitter.
    public static let defaultPolicy = RetryPolicy(maxAttempts: 10, baseDelay: 0.5, maxDelay: 30)

    public var isFinished: Bool {
        if case .failed = state { return true }
        return false
    }

    /// Applies `event` and returns what the caller must do next.
    public mutating func handle(_ event: Event) -> Action {
        switch event {
        case .start, .reconnectDelayElapsed: return connect(event)
        case .socketOpened: return advance(from: .connecting, to: .awaitingGreeting, then: .none)
        case .greeted: return advance(from: .awaitingGreeting, to: .authenticating, then: .sendAuth)
        case .authSucceeded: return authenticated()
        case .authFailed(let message): return authenticationFailed(message)
        case .subscribe(let new): return subscribe(new)
        case .unsubscribe(let old): return unsubscribe(old)
        case .minuteBar(let startMs): return minuteBar(startMs)
        case .disconnected(let reason, let retryable, let jitter): return disconnected(reason, retryable, jitter)
        }
    }

    private mutating func connect(_ event: Event) -> Action {
        let expected: State = event == .start ? .idle : .waitingToReconnect
        return advance(from: expected, to: .connecting, then: .openSocket)
    }

    private mutating func advance(from expected: State, to next: State, then action: Action) -> Action {
        guard state == expected else { return .none }
        state = next
        return action
    }

    private mutating func authenticated() -> Action {
        guard state == .authenticating else { return .none }
        state = .streaming
        consecutiveFailures = 0
        return topics.isEmpty ? .none : .send(FeedCommand(.subscribe, topics))
    }

    private mutating func authenticationFailed(_ message: String) -> Action {
        guard state == .authenticating else { return .none }
        let failure = FeedFailure(.authenticationFailed, "authentication failed: \(message)")
        state = .failed(failure)
        return .fail(failure)
    }

    private mutating func subscribe(_ new: [FeedTopic]) -> Action {
        let added = Set(new).subtracting(topics)
        topics.formUnion(added)
        guard state == .streaming, !added.isEmpty else { return .none }
        return .send(FeedCommand(.subscribe, added))
    }

    private mutating func unsubscribe(_ old: [FeedTopic]) -> Action {
        let removed = topics.intersection(old)
        topics.subtract(removed)
        guard state == .streaming, !removed.isEmpty else { return .none }
        return .send(FeedCommand(.unsubscribe, removed))
    }

    private mutating func minuteBar(_ startMs: Int64) -> Action {
        defer { lastMinuteStartMs = max(lastMinuteStartMs ?? startMs, startMs) }
        guard let pending = pendingGap else { return .none }
        guard let gapStart = pending.startMs else {
            pendingGap = nil  // nothing was seen before the drop: no anchor to fill from
            return .none
        }
        guard startMs > gapStart else { return .none }  // a late re-broadcast of an older minute
        pendingGap = nil
        return .reportGap(
            FeedGap(
                lastBeforeMs: gapStart, firstAfterMs: startMs, disconnections: pending.disconnections,
                topics: topics.sorted()))
    }

    private mutating func disconnected(_ reason: String, _ retryable: Bool, _ jitter: Double) -> Action {
        switch state {
        case .connecting, .awaitingGreeting, .authenticating, .streaming: break
        case .idle, .waitingToReconnect, .failed: return .none
        }
        if var pending = pendingGap {
            pending.disconnections += 1
            pendingGap = pending
        } else {
            pendingGap = PendingGap(startMs: lastMinuteStartMs, disconnections: 1)
        }
        consecutiveFailures += 1
        guard retryable, consecutiveFailures < reconnectPolicy.maxAttempts else {
            let kind: FeedFailure.Kind = retryable ? .tooManyReconnects : .connectionRefused
            let failure = FeedFailure(kind, "\(reason) (after \(consecutiveFailures) attempt(s))")
            state = .failed(failure)
            return .fail(failure)
        }
        state = .waitingToReconnect
        let delay = reconnectPolicy.delay(afterAttempt: consecutiveFailures, retryAfter: nil, unitRandom: jitter)
        return .reconnect(afterSeconds: delay, attempt: consecutiveFailures)
    }
}
