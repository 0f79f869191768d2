/// A message on the bus: a dotted topic (`bars.1m.AAPL`, `backfill.progress`) and a JSON payload.
public struct BusMessage: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]

    public init(topic: String, payload: [UInt8]) {
        self.topic = topic
        self.payload = payload
    }

    public init(topic: String, text: String) {
        self.init(topic: topic, payload: Array(text.utf8))
    }

    public var text: String { String(decoding: payload, as: UTF8.self) }
}

/// Fan-out of stored bars and progress events to whoever listens. Publishing happens after the
/// write commits, so a subscriber never sees a bar the store does not have.
public protocol MessageBus: Sendable {
    /// Delivers `message` to every current subscriber whose prefix matches its topic.
    func publish(_ message: BusMessage) async

    /// Messages whose topic starts with `topicPrefix`, from now on. A slow subscriber loses the
    /// oldest messages beyond `bufferSize`, never blocks the publisher or grows without bound.
    func subscribe(topicPrefix: String, bufferSize: Int) -> AsyncStream<BusMessage>
}

/// Topic names, in one place.
public enum Topic {
    public static let progress = "backfill.progress"

    /// `bars.1m.AAPL`
    public static func bars(timeframe: String, symbol: String) -> String { "bars.\(timeframe).\(symbol)" }
}
