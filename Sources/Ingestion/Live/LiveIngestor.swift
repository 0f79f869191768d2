import BackfillCore
import Logging
import MessageBus
import Polygon
import Storage
import Synchronization

/// Live minute bars through the backfill's path: the feed's `AM` events are validated, run
/// through each symbol's indicator engine (restored from the state the backfill saved, so the
/// indicators continue), upserted, and each stored bar is published on `bars.1m.{SYMBOL}`.
///
/// ```swift
/// let ingestor = LiveIngestor(store: store, bus: bus, client: rest, logger: logger)
/// try await ingestor.run(feed: FeedClient(configuration: …, logger: logger), symbols: ["AAPL"])  // until stop()
/// ```
///
/// - Batching: bars that arrive together (a whole-market minute is one frame) are written in one
///   transaction (`write(_:marking: nil)`: a live day is never marked complete), then published.
/// - Re-sent minutes: the upsert replaces the stored bar (counted as changed, or unchanged when
///   equal), and the indicators are recomputed from a state kept 15 minutes back
///   (``IndicatorTrack``).
/// - Gaps: when the feed reconnects it reports the minutes it missed; they are fetched from REST
///   for every subscribed ticker and stored and published before the bars that followed the gap,
///   so each symbol's indicators see its minutes in order.
/// - State: each symbol's indicator state is saved every `stateSaveInterval` and at stop.
public final class LiveIngestor: Sendable {
    public let store: any BarStore
    public let bus: any MessageBus
    /// For gap refills; nil leaves gaps unfilled (logged).
    public let client: RESTClient?
    public let configuration: Configuration
    let logger: Logger
    let shared = Mutex(LiveStatistics())
    private let stopSignal: AsyncStream<Void>.Continuation
    private let stopRequests: AsyncStream<Void>

    public init(
        store: any BarStore, bus: any MessageBus, client: RESTClient?, configuration: Configuration = .init(),
        logger: Logger
    ) {
        self.store = store
        self.bus = bus
        self.client = client
        self.configuration = configuration
        self.logger = logger
        (stopRequests, stopSignal) = AsyncStream.makeStream()
    }

    /// A snapshot of the counters.
    public var statistics: LiveStatistics { shared.withLock { $0 } }

    /// Asks ``run(feed:symbols:)`` to stop: the feed is closed, the bars already received are stored and
    /// published, indicator states are saved, then `run` returns. Safe to call from any thread,
    /// any number of times, also before `run` starts.
    public func stop() {
        stopSignal.finish()
    }

    /// Runs `feed` and ingests its minute bars until ``stop()`` is called or the feed ends.
    /// - Parameter symbols: the tickers subscribed, whose saved indicator states are loaded before
    ///   the first bar; nil (`AM.*`) loads every symbol with stored minute bars.
    /// - Throws: the feed's ``PolygonError`` (authentication refused, reconnects exhausted) after
    ///   what was received is stored; a ``StorageError`` when the store fails.
    public func run(feed: FeedClient, symbols: [String]?) async throws {
        async let feedEnded: Void = runFeed(feed)
        do {
            try await ingest(feed.events, symbols: symbols)
        } catch {
            stop()
            try? await feedEnded
            throw error
        }
        try await feedEnded
    }

    /// Runs the feed until ``stop()``; its event stream finishes when it returns.
    private func runFeed(_ feed: FeedClient) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await feed.run() }
            group.addTask { for await _ in self.stopRequests {} }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Ingests `events` until the stream finishes, then saves every indicator state.
    /// - Parameter symbols: as in ``run(feed:symbols:)``.
    public func ingest(_ events: AsyncStream<FeedEvent>, symbols: [String]?) async throws {
        var pipeline = try await LivePipeline(ingestor: self, symbols: symbols)
        let inbox = LiveInbox(capacity: configuration.maxPendingEvents)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.read(events, into: inbox) }
            while let items = await inbox.take() {
                try await pipeline.handle(items)
            }
            try await group.waitForAll()
        }
        try await pipeline.saveStates(final: true)
        if inbox.dropped > 0 {
            logger.warning("live: \(inbox.dropped) feed events dropped: the store fell too far behind")
        }
    }

    /// Moves the feed's events into `inbox` until the feed ends.
    private func read(_ events: AsyncStream<FeedEvent>, into inbox: LiveInbox) async {
        for await event in events {
            switch event {
            case .minuteBar(let aggregate):
                inbox.append(.bar(aggregate, receivedAt: .now))
            case .gap(let gap):
                logger.info("live: \(gap)")
                inbox.append(.gap(gap))
            case .connection(.streaming(let count)):
                shared.withLock { $0.connections = count }
                if count > 1 { logger.info("live: feed streaming again (connection \(count))") }
            case .connection(.disconnected(let reason, let retry)):
                logger.warning("live: feed disconnected (\(reason)); reconnecting in \(retry) s")
            case .status(let status) where status.status == .error:
                logger.warning("live: the feed says \(status.message)")
            default:
                break
            }
        }
        inbox.finish()
    }
}
