import MessageBus
import Synchronization

/// Local subscribers by pattern, and the subscriber connection they share while it is up.
final class SubscriptionTable: Sendable {
    private struct Subscriber {
        var pattern: String
        var continuation: AsyncStream<BusMessage>.Continuation
    }

    private struct State {
        var subscribers: [Int: Subscriber] = [:]
        var patternCounts: [String: Int] = [:]
        var connection: RedisConnection?
        var nextID = 0
    }

    private let state = Mutex(State())

    /// The live subscriber connection, if any.
    var connection: RedisConnection? { state.withLock { $0.connection } }

    /// Registers a subscriber; returns its id, the live connection, and whether the pattern is new.
    func add(pattern: String, continuation: AsyncStream<BusMessage>.Continuation) -> (Int, RedisConnection?, Bool) {
        state.withLock { state in
            state.nextID += 1
            state.subscribers[state.nextID] = Subscriber(pattern: pattern, continuation: continuation)
            state.patternCounts[pattern, default: 0] += 1
            return (state.nextID, state.connection, state.patternCounts[pattern] == 1)
        }
    }

    /// Removes a subscriber; returns the connection and pattern to unsubscribe when it was the last.
    func remove(id: Int) -> (RedisConnection, String)? {
        state.withLock { state in
            guard let subscriber = state.subscribers.removeValue(forKey: id) else { return nil }
            let remaining = (state.patternCounts[subscriber.pattern] ?? 1) - 1
            state.patternCounts[subscriber.pattern] = remaining > 0 ? remaining : nil
            guard remaining == 0, let connection = state.connection else { return nil }
            return (connection, subscriber.pattern)
        }
    }

    /// Makes `connection` the live one; returns the patterns to subscribe on it.
    func attach(_ connection: RedisConnection) -> [String] {
        state.withLock { state in
            state.connection = connection
            return state.patternCounts.keys.sorted()
        }
    }

    func detach(_ connection: RedisConnection) {
        state.withLock { state in
            if state.connection === connection { state.connection = nil }
        }
    }

    /// Hands a `pmessage` to every subscriber of its pattern.
    func deliver(_ value: RESPValue) {
        guard let parts = value.elements, parts.count == 4, parts[0].string == "pmessage",
            let pattern = parts[1].string, let topic = parts[2].string, let payload = parts[3].bytes
        else { return }
        let targets = state.withLock { state in
            state.subscribers.values.filter { $0.pattern == pattern }.map(\.continuation)
        }
        let message = BusMessage(topic: topic, payload: payload)
        for target in targets { target.yield(message) }
    }

    /// Ends every subscriber's stream (the bus has stopped).
    func finishAll() {
        let continuations = state.withLock { state in state.subscribers.values.map(\.continuation) }
        for continuation in continuations { continuation.finish() }
    }

    /// Number of local subscribers (for tests and metrics).
    var count: Int { state.withLock { $0.subscribers.count } }
}
