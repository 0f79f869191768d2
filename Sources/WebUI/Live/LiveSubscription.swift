import BackfillCore
import Foundation
import Ingestion
import MessageBus

/// One chart's live view: 1-minute bars of one symbol, as they are stored, folded by the core
/// ``Resampler`` into the chart's timeframe. Each bar yields the chart's current bucket so far, so
/// the open candle grows minute by minute and a new one starts at the bucket's edge.
struct LiveSubscription: Sendable {
    let symbol: String
    let timeframe: ChartTimeframe
    let extendedHours: Bool
    private var resampler: Resampler

    init(symbol: String, timeframe: ChartTimeframe, extendedHours: Bool, calendar: TradingCalendar) throws {
        self.symbol = symbol
        self.timeframe = timeframe
        self.extendedHours = extendedHours
        self.resampler = try Resampler(
            calendar: calendar, configuration: .init(interval: timeframe.interval, includeExtendedHours: extendedHours))
    }

    /// The `bars.1m.SYMBOL` payload's fields this view needs (written by ingestion's LiveBarMessage).
    struct Payload: Decodable {
        struct WireBar: Decodable {
            var t: Int64
            var o: Double
            var h: Double
            var l: Double
            var c: Double
            var v: Double
        }

        var symbol: String
        var bar: WireBar
        var source: String?
    }

    /// The topics this view listens on: the 1-minute bars (live bars and backfilled minute chunks),
    /// and for daily and weekly charts the daily chunks too.
    var topics: [String] {
        let minute = Topic.bars(timeframe: Timeframe.minute.description, symbol: symbol)
        let day = Topic.bars(timeframe: Timeframe.day.description, symbol: symbol)
        return timeframe.source == .day ? [minute, day] : [minute]
    }

    /// The frame for one bus message: a `bar` for a live bar, a `stored` notice (the page reloads
    /// the days if they overlap what it shows) for a backfilled chunk that changed rows; nil otherwise.
    mutating func frame(for message: BusMessage) -> String? {
        guard topics.contains(message.topic) else { return nil }
        if let text = update(payload: message.payload) { return text }
        guard let chunk = try? JSONDecoder().decode(StoredChunkNotice.self, from: Data(message.payload)),
            chunk.symbol == symbol, (chunk.changed ?? chunk.received ?? 0) > 0,
            let first = LocalDate(chunk.from), let last = LocalDate(chunk.to), first <= last
        else { return nil }
        var json = JSONText()
        json.object { json in
            json.field("type", "stored")
            json.field("symbol", symbol)
            json.field("timeframe", timeframe.rawValue)
            json.field("source", chunk.timeframe)
            json.field("from", first.description)
            json.field("to", last.description)
            // The days as instants, widened by a day on each side (New York is never more than a
            // day from UTC), so the page compares times without a calendar.
            json.field("fromMs", Int64(first.daysSinceEpoch - 1) * 86_400_000)
            json.field("toMs", Int64(last.daysSinceEpoch + 2) * 86_400_000)
            json.field("changed", chunk.changed.map(Int64.init))
            json.field("received", chunk.received.map(Int64.init))
        }
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// Folds one bus payload in; returns the JSON text to send, or nil when it is not this symbol's,
    /// cannot be read, or falls outside the chart's hours.
    mutating func update(payload: [UInt8]) -> String? {
        guard let message = try? JSONDecoder().decode(Payload.self, from: Data(payload)), message.symbol == symbol
        else { return nil }
        let wire = message.bar
        let bar = Bar(windowStartMs: wire.t, open: wire.o, high: wire.h, low: wire.l, close: wire.c, volume: wire.v)
        if case .ignored = resampler.consume(bar) { return nil }
        var peek = resampler
        guard let bucket = peek.flush() else { return nil }
        var json = JSONText()
        json.object { json in
            json.field("type", "bar")
            json.field("symbol", symbol)
            json.field("timeframe", timeframe.rawValue)
            json.field("source", message.source)
            json.field("minute", wire.t)
            json.field("t", bucket.windowStartMs)
            json.field("o", bucket.open)
            json.field("h", bucket.high)
            json.field("l", bucket.low)
            json.field("c", bucket.close)
            json.field("v", bucket.volume)
        }
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
