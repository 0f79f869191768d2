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
        let topic = Topic.bars(timeframe: Timeframe.minute.description, symbol: subscription.symbol)
        // Subscribe before saying hello, so a bar stored right after the client sees `hello` is not missed.
        let messages = bus?.subscribe(topicPrefix: topic, bufferSize: configuration.liveBufferSize)
        var hello = JSONText()
        hello.object { json in
            json.field("type", "hello")
            json.field("symbol", subscription.symbol)
            json.field("timeframe", subscription.timeframe.rawValue)
            json.field("live", messages != nil)
        }
        try await outbound.write(.text(String(decoding: hello.bytes, as: UTF8.self)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await _ in inbound {}  // the page sends nothing; this ends when it closes
            }
            if let messages {
                group.addTask {
                    var subscription = subscription
                    for await message in messages where message.topic == topic {
                        guard let text = subscription.update(payload: message.payload) else { continue }
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
