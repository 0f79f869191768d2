import Foundation
import MessageBus

/// What a backfill announces on `bars.{tf}.{ticker}` once bars of one ticker are stored (REST: a
/// chunk; day files: the ticker's day), so open charts read those days again: the days, the bars
/// received and, when known, the rows they inserted or changed (day files count changes per file,
/// so their notices carry none).
public struct StoredChunkNotice: Codable, Sendable, Equatable {
    public var symbol: String
    public var timeframe: String
    /// First and last day, `YYYY-MM-DD`.
    public var from: String
    public var to: String
    public var received: Int?
    public var changed: Int?

    public init(symbol: String, timeframe: String, from: String, to: String, received: Int?, changed: Int?) {
        self.symbol = symbol
        self.timeframe = timeframe
        self.from = from
        self.to = to
        self.received = received
        self.changed = changed
    }

    /// Publishes the notice as JSON on its ticker's topic.
    public func publish(on bus: any MessageBus, encoder: JSONEncoder = JSONEncoder()) async {
        guard let payload = try? encoder.encode(self) else { return }
        await bus.publish(
            BusMessage(topic: Topic.bars(timeframe: timeframe, symbol: symbol), payload: Array(payload)))
    }
}
