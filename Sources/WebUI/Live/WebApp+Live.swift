import BackfillCore
import Hummingbird
import HummingbirdWebSocket
import MessageBus
import Synchronization

extension WebApp {
    /// `GET /api/live?symbol=AAPL&timeframe=5m` upgraded to a WebSocket: a `hello` frame, then one
    /// `bar` frame per 1-minute bar stored for the symbol (fed by the message bus, no polling),
    /// carrying the chart's current bucket. A slow client loses the oldest frames, never memory.
    func addLiveRoute(to router: Router<BasicWebSocketRequestContext>) {
        router.ws(
            "/api/live",
            shouldUpgrade: { request, _ in
                _ = try self.liveSubscription(APIQuery(request))
                return .upgrade([:])
            },
            onUpgrade: { inbound, outbound, context in
                let subscription = try self.liveSubscription(APIQuery(context.request))
                try await self.serveLive(subscription, inbound: inbound, outbound: outbound)
            })
    }

    private func liveSubscription(_ query: APIQuery) throws -> LiveSubscription {
        try LiveSubscription(
            symbol: query.symbol(), timeframe: query.timeframe(default: .minute1),
            extendedHours: query.flag("extended", default: true), calendar: calendar)
    }

    /// Forwards bars until the client leaves (its inbound stream ends), which cancels the forwarding.
    private func serveLive(
        _ subscription: LiveSubscription, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter
    ) async throws {
        metrics.liveClient(connected: true)
        defer { metrics.liveClient(connected: false) }
        // Subscribe before saying hello, so a bar stored right after the client sees `hello` is not missed.
        let streams = bus.map { bus in
            subscription.topics.map { bus.subscribe(topicPrefix: $0, bufferSize: configuration.liveBufferSize) }
        }
        var hello = JSONText()
        hello.object { json in
            json.field("type", "hello")
            json.field("symbol", subscription.symbol)
            json.field("timeframe", subscription.timeframe.rawValue)
            json.field("live", streams != nil)
        }
        try await outbound.write(.text(String(decoding: hello.bytes, as: UTF8.self)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await _ in inbound {}  // the page sends nothing; this ends when it closes
            }
            // One subscription (and its resampler) shared by the topics' streams: one at a time.
            let view = SharedView(subscription)
            for messages in streams ?? [] {
                group.addTask {
                    for await message in messages {
                        guard let text = view.frame(for: message) else { continue }
                        try await outbound.write(.text(text))
                        self.metrics.liveFrameSent()
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// A live view read by one task per topic.
private final class SharedView: Sendable {
    private let subscription: Mutex<LiveSubscription>

    init(_ subscription: LiveSubscription) { self.subscription = Mutex(subscription) }

    func frame(for message: BusMessage) -> String? { subscription.withLock { $0.frame(for: message) } }
}
