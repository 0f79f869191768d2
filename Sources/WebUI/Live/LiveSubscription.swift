import BackfillCore
import Foundation

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
