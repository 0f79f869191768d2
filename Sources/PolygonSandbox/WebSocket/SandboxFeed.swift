import BackfillCore
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging

/// The sandbox's WebSocket at `/stocks`, on the same port as its REST API like Polygon's host:
/// the `connected` greeting, `auth` with the sandbox key, subscribe/unsubscribe acks, and `AM`
/// (per minute), `A` (per second) and `T` frames from the synthetic market, live or replayed.
///
/// Each connection asks the fault injector once, with the path ``faultPath``, which WebSocket
/// faults (drop, stall) it gets.
public struct SandboxFeed: Sendable {
    /// The feed's path on the sandbox's port.
    public static let path = "/stocks"
    /// The path a connection passes to ``FaultInjector``: REST rules (prefix `/`) never match it,
    /// so script WebSocket faults with `pathPrefix: SandboxFeed.faultPath`.
    public static let faultPath = "ws:/stocks"

    let configuration: SandboxConfiguration
    let clock: ReplayClock
    let market: SyntheticMarket
    let splitter: SecondBars

    /// Starts the replay clock (when the configuration asks for a replay) now.
    /// - Parameter market: the sandbox's world, shared with its REST and S3 surfaces.
    init(configuration: SandboxConfiguration, market: SyntheticMarket) {
        self.configuration = configuration
        self.clock = ReplayClock(
            startMs: configuration.feed.replayStartMs, speed: configuration.feed.speed, nowMs: configuration.nowMs)
        self.market = market
        self.splitter = SecondBars(seed: configuration.seed)
    }

    /// An HTTP/1 server that also upgrades `GET /stocks` to the feed; other paths go to REST.
    func makeServerBuilder() -> HTTPServerBuilder {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws(RouterPath(stringLiteral: Self.path)) { inbound, outbound, context in
            try await self.serve(inbound: inbound, outbound: outbound, logger: context.logger)
        }
        return .http1WebSocketUpgrade(
            webSocketRouter: router,
            configuration: .init(ws: .init(maxFrameSize: 1 << 20, autoPing: .disabled, closeTimeout: .seconds(1))))
    }

    /// How a connection's work ended.
    enum Ending: Sendable {
        /// The client left, auth failed, or a drop fault fired: close now.
        case close
        /// A stall fault fired: stop reading (so pings go unanswered) and sending, wait, then close.
        case stall(seconds: Double)
    }

    /// One connection, from the greeting until the client leaves, auth fails or a fault drops it.
    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async throws {
        let faults = configuration.faults.faults(for: Self.faultPath).filter(\.isWebSocket)
        let session = FeedSession(apiKey: configuration.apiKey, universe: configuration.feed.universe)
        logger.debug("feed connection", metadata: ["sandbox.faults": "\(faults)"])
        for case .webSocketStall(0, let seconds) in faults {
            return try await stall(outbound, seconds: seconds)  // a server that upgrades, then says nothing
        }
        try await outbound.write(.text(FeedFrameWriter.status("connected", "Connected Successfully")))
        let ending = try await withThrowingTaskGroup(of: Ending.self) { group in
            group.addTask {
                try await self.readCommands(inbound, outbound, session)
                return .close
            }
            group.addTask {
                var streamer = FeedStreamer(feed: self, session: session, faults: faults)
                return try await streamer.run(outbound)
            }
            if let trigger = configuration.feed.trigger {
                group.addTask {
                    try await self.sendTriggered(trigger, outbound, session)
                    return .close
                }
            }
            for case .webSocketDropAfter(let seconds) in faults {
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int64(seconds * 1_000)))
                    return .close
                }
            }
            let first = try await group.next() ?? .close
            group.cancelAll()
            return first
        }
        if case .stall(let seconds) = ending {
            try? await stall(outbound, seconds: seconds)
        }
    }

    /// Stays silent for `seconds`, but ends early once the client has gone: an unsolicited pong
    /// every 100 ms probes the socket (a client ignores pongs that answer none of its pings).
    private func stall(_ outbound: WebSocketOutboundWriter, seconds: Double) async throws {
        let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1_000))
        while ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(100))
            try await outbound.write(.pong)
        }
    }

    /// Sends the frames `trigger` asks for until the connection ends (cancellation).
    private func sendTriggered(
        _ trigger: SandboxFeedTrigger, _ outbound: WebSocketOutboundWriter, _ session: FeedSession
    ) async throws {
        let (id, requests) = trigger.register(session)
        defer { trigger.unregister(id) }
        var frames = TriggeredFrames(market: market, session: session)
        try await withTaskCancellationHandler {
            for await request in requests {
                guard let (text, events) = frames.frame(for: request) else { continue }
                trigger.recordSent(.now, events: events)
                try await outbound.write(.text(text))
            }
        } onCancel: {
            trigger.unregister(id)
        }
        try await Task.sleep(for: .seconds(86_400 * 365))  // keep the connection until it ends otherwise
    }

    private func readCommands(
        _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, _ session: FeedSession
    ) async throws {
        for try await message in inbound.messages(maxSize: 1 << 16) {
            guard case .text(let text) = message else { continue }
            let reply = session.handle(text)
            for frame in reply.frames {
                try await outbound.write(.text(frame))
            }
            if reply.close { return }
        }
    }
}
