import BackfillCore
import Polygon
import Synchronization

/// The hand-off between the task reading the feed and the task storing bars: the reader appends
/// each event as it comes, the writer takes everything that has piled up since its last
/// transaction. Messages that arrive together (a minute's frame of thousands of bars) so become one
/// transaction, and a slow write makes the next batch bigger instead of the queue longer.
///
/// Bounded: beyond `capacity` items the oldest are dropped and counted, as the feed's own buffer does.
final class LiveInbox: Sendable {
    /// One thing for the writer, in arrival order.
    enum Item: Sendable {
        case bar(FeedAggregate, receivedAt: ContinuousClock.Instant)
        case gap(FeedGap)
    }

    private struct State {
        var items: [Item] = []
        var finished = false
        var dropped = 0
    }

    private let state = Mutex(State())
    private let signal: AsyncStream<Void>.Continuation
    private let wakeUps: AsyncStream<Void>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        (wakeUps, signal) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Items dropped because the writer fell more than `capacity` behind.
    var dropped: Int { state.withLock { $0.dropped } }

    func append(_ item: Item) {
        state.withLock { state in
            if state.items.count >= capacity {
                state.items.removeFirst()
                state.dropped += 1
            }
            state.items.append(item)
        }
        signal.yield()
    }

    /// No more items will come; the writer drains what is left, then ``take()`` returns nil.
    func finish() {
        state.withLock { $0.finished = true }
        signal.yield()
    }

    /// Everything appended since the last call, waiting for at least one item; nil once finished
    /// and empty. Only one task may call it.
    func take() async -> [Item]? {
        var iterator = wakeUps.makeAsyncIterator()
        while true {
            let (items, finished) = state.withLock { state -> ([Item], Bool) in
                defer { state.items = [] }
                return (state.items, state.finished)
            }
            if !items.isEmpty { return items }
            if finished || Task.isCancelled { return nil }
            _ = await iterator.next()  // returns at once when cancelled: checked above next time
        }
    }
}
