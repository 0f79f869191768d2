import Synchronization

/// The embedded default bus: subscribers in the same process, each with a bounded drop-oldest buffer.
public final class InProcessBus: MessageBus {
    private struct Subscriber {
        var prefix: String
        var continuation: AsyncStream<BusMessage>.Continuation
    }

    private let subscribers = Mutex<[Int: Subscriber]>([:])
    private let nextID = Atomic<Int>(0)

    public init() {}

    public func publish(_ message: BusMessage) async {
        let targets = subscribers.withLock { $0.values.filter { message.topic.hasPrefix($0.prefix) } }
        for target in targets { target.continuation.yield(message) }
    }

    public func subscribe(topicPrefix: String, bufferSize: Int = 1_024) -> AsyncStream<BusMessage> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(
            of: BusMessage.self, bufferingPolicy: .bufferingNewest(max(1, bufferSize)))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = Subscriber(prefix: topicPrefix, continuation: continuation) }
        return stream
    }

    /// Current subscriber count (for metrics and tests).
    public var subscriberCount: Int { subscribers.withLock { $0.count } }
}
