import BackfillCore
import Logging
import Synchronization

/// Polygon's stocks feed over WebSocket: connect, authenticate, subscribe, decode every frame,
/// notice dead links by ping, reconnect with backoff and jitter, resubscribe everything, and
/// report the minutes missed while away as a ``FeedGap`` so the pipeline can fill them from REST.
///
/// ```swift
/// let feed = FeedClient(configuration: .init(apiKey: key, topics: [.all(.minuteBars)]), logger: logger)
/// try await withThrowingTaskGroup(of: Void.self) { group in
///     group.addTask { try await feed.run() }
///     for await event in feed.events { … }
/// }
/// ```
/// ``run()`` lives as long as the caller's task: cancel it to stop. The connection logic is the
/// pure ``FeedStateMachine``; this type only does its I/O.
public final class FeedClient: Sendable {
    public let configuration: Configuration
    /// Every event, in arrival order; finishes when ``run()`` returns. Bounded: a consumer more
    /// than `bufferSize` events behind loses the oldest (see ``Statistics/droppedEvents``).
    public let events: AsyncStream<FeedEvent>
    let continuation: AsyncStream<FeedEvent>.Continuation
    let redactor: Redactor
    let logger: Logger
    let shared: Mutex<Shared>

    /// State shared by ``run()`` and the callers of ``subscribe(_:)``.
    struct Shared: Sendable {
        var machine: FeedStateMachine
        /// Text messages for the current connection's writer; nil while disconnected (the
        /// state machine resubscribes everything on the next auth).
        var outbox: AsyncStream<String>.Continuation?
        var statistics = Statistics()
    }

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        (events, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(configuration.bufferSize))
        self.redactor = Redactor(secrets: [configuration.apiKey])
        self.logger = logger
        let machine = FeedStateMachine(topics: configuration.topics, reconnectPolicy: configuration.reconnect)
        self.shared = Mutex(Shared(machine: machine))
    }

    public var statistics: Statistics { shared.withLock { $0.statistics } }

    /// Adds topics; sent at once when connected, else with the next subscription.
    public func subscribe(_ topics: [FeedTopic]) {
        _ = apply(.subscribe(topics))
    }

    /// Removes topics; sent at once when connected.
    public func unsubscribe(_ topics: [FeedTopic]) {
        _ = apply(.unsubscribe(topics))
    }

    /// Connects and keeps the feed up until the calling task is cancelled (then returns normally).
    /// - Throws: ``PolygonError`` with code `unauthorized` when the server refuses the key (never
    ///   retried), or `transport` when the reconnect policy's attempts run out.
    public func run() async throws {
        defer { continuation.finish() }
        var random = SplitMix64(seed: configuration.jitterSeed ?? UInt64.random(in: .min ... .max))
        var action = apply(.start)
        while !Task.isCancelled {
            switch action {
            case .openSocket:
                let lost = try await connectOnce()
                if Task.isCancelled { return }
                shared.withLock { $0.statistics.disconnections += 1 }
                action = apply(.disconnected(reason: lost.reason, retryable: lost.retryable, jitter: random.nextUnit()))
                if case .reconnect(let seconds, _) = action {
                    emit(.connection(.disconnected(reason: lost.reason, retryAfterSeconds: seconds)))
                }
            case .reconnect(let seconds, let attempt):
                logger.info(
                    "feed reconnecting",
                    metadata: [MetadataKey.attempt: "\(attempt)", MetadataKey.delaySeconds: "\(seconds)"])
                do {
                    try await Task.sleep(for: .milliseconds(Int64((seconds * 1_000).rounded())))
                } catch { return }
                action = apply(.reconnectDelayElapsed)
            case .fail(let failure):
                throw error(for: failure)
            case .none, .sendAuth, .send, .reportGap:
                return  // not reachable from these events; ending beats spinning
            }
        }
    }

    /// Feeds `event` to the state machine and performs the sends it asks for under the same lock,
    /// so that messages reach the socket in the machine's order; returns the action.
    @discardableResult
    func apply(_ event: FeedStateMachine.Event) -> FeedStateMachine.Action {
        shared.withLock { shared in
            let action = shared.machine.handle(event)
            switch action {
            case .sendAuth:
                let key = FeedCommand.escape(configuration.apiKey)
                shared.outbox?.yield(#"{"action":"auth","params":"\#(key)"}"#)
            case .send(let command):
                shared.outbox?.yield(command.json)
            default: break
            }
            return action
        }
    }

    /// Delivers an event to the consumer, counting it when the buffer had to drop the oldest.
    func emit(_ event: FeedEvent) {
        if case .dropped = continuation.yield(event) {
            shared.withLock { $0.statistics.droppedEvents += 1 }
        }
    }

    /// The error `run()` ends with, the URL shown and the key redacted.
    func error(for failure: FeedFailure) -> PolygonError {
        let url = redactor.redact(configuration.url)
        let message = redactor.redact(failure.message)
        switch failure.kind {
        case .authenticationFailed:
            return PolygonError(
                .unauthorized,
                "WebSocket \(message); check POLYGON_API_KEY (or MASSIVE_API_KEY) and that the plan includes "
                    + "the WebSocket feed", url: url, isRetryable: false)
        case .connectionRefused:
            return PolygonError(
                .invalidRequest, "WebSocket connection failed: \(message)", url: url, isRetryable: false)
        case .tooManyReconnects:
            return PolygonError(
                .transport, "WebSocket feed gave up reconnecting: \(message)", url: url, isRetryable: true)
        }
    }
}
