import NIOCore

/// A command and the promise its reply completes.
struct RedisRequest {
    var command: RESPCommand
    var promise: EventLoopPromise<RESPValue>
}

/// Pairs replies with commands in order (Redis answers in order, so pipelining is a FIFO of
/// promises) and hands pub/sub deliveries, which answer no command, to `onPush`.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private var waiting = CircularBuffer<EventLoopPromise<RESPValue>>(initialCapacity: 64)
    private let endpoint: String
    private let onPush: (@Sendable (RESPValue) -> Void)?

    init(endpoint: String, onPush: (@Sendable (RESPValue) -> Void)?) {
        self.endpoint = endpoint
        self.onPush = onPush
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        var buffer = context.channel.allocator.buffer(capacity: 64)
        request.command.encode(into: &buffer)
        waiting.append(request.promise)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        if let onPush, Self.isDelivery(value) {
            onPush(value)
            return
        }
        guard let promise = waiting.popFirst() else {
            context.fireErrorCaught(RedisBusError.protocolError("a reply arrived that no command asked for"))
            return
        }
        if case .error(let text) = value {
            promise.fail(RedisBusError(code: .server, message: text))
        } else {
            promise.succeed(value)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisBusError.closed(endpoint))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: any Error) {
        while let promise = waiting.popFirst() { promise.fail(error) }
    }

    /// `message`/`pmessage` arrays (RESP2) or pushes (RESP3) are deliveries; subscribe confirmations
    /// answer the (P)SUBSCRIBE that asked for them and go to its promise.
    static func isDelivery(_ value: RESPValue) -> Bool {
        guard let kind = value.elements?.first?.string else { return false }
        return kind == "pmessage" || kind == "message"
    }
}
