import BackfillCore

/// Writes the sandbox feed's frames as Polygon's: a JSON array of events.
struct FeedFrameWriter {
    private var json = JSONWriter(capacity: 512)
    private var count = 0

    var isEmpty: Bool { count == 0 }

    /// The frame's text.
    var text: String { String(decoding: json.bytes + [UInt8(ascii: "]")], as: UTF8.self) }

    /// A frame holding one status event.
    static func status(_ status: String, _ message: String) -> String {
        var frame = FeedFrameWriter()
        frame.begin()
        frame.json.key("ev"); frame.json.string("status")
        frame.json.raw(","); frame.json.key("status"); frame.json.string(status)
        frame.json.raw(","); frame.json.key("message"); frame.json.string(message)
        frame.json.raw("}")
        return frame.text
    }

    /// Appends an `AM` (minute) or `A` (second) aggregate.
    mutating func aggregate(_ ev: String, _ symbol: String, _ bar: Bar, lengthMs: Int64, day: DayContext) {
        begin()
        json.key("ev"); json.string(ev)
        json.raw(","); json.key("sym"); json.string(symbol)
        volume("v", "dv", bar.volume)
        volume("av", "dav", day.accumulatedVolume)
        if let open = day.officialOpen { field("op", open) }
        if let vwap = bar.vwap { field("vw", vwap) }
        field("o", bar.open); field("c", bar.close); field("h", bar.high); field("l", bar.low)
        field("a", day.dayVWAP)
        field("z", Int64((bar.volume / Double(max(1, bar.transactions ?? 1))).rounded()))
        field("s", bar.windowStartMs); field("e", bar.windowStartMs + lengthMs)
        json.raw("}")
    }

    /// Appends a `T` trade.
    mutating func trade(_ trade: SandboxTrade) {
        begin()
        json.key("ev"); json.string("T")
        json.raw(","); json.key("sym"); json.string(trade.symbol)
        json.raw(","); json.key("i"); json.string(trade.id)
        field("x", Int64(trade.exchange)); field("p", trade.price)
        volume("s", "ds", trade.size)
        if let conditions = trade.conditions {
            json.raw(#","c":["# + conditions.map(String.init).joined(separator: ",") + "]")
        }
        field("t", trade.timestampMs); field("q", trade.sequence); field("z", Int64(3))
        json.raw("}")
    }

    private mutating func begin() {
        json.raw(count == 0 ? "[{" : ",{")
        count += 1
    }

    private mutating func field(_ key: String, _ value: Double) {
        json.raw(","); json.key(key); json.number(value)
    }

    private mutating func field(_ key: String, _ value: Int64) {
        json.raw(","); json.key(key); json.number(value)
    }

    /// Whole volumes as integers, as Polygon sends them; a fractional one also as its decimal
    /// string twin (`dv`), as Polygon does since fractional shares began in 2026.
    private mutating func volume(_ key: String, _ decimalKey: String, _ value: Double) {
        if value == value.rounded(), abs(value) < 1e15 {
            field(key, Int64(value))
        } else {
            field(key, value)
            json.raw(","); json.key(decimalKey); json.string(value.description)
        }
    }
}

/// The day's running figures an aggregate event carries (`av`, `a`, `op`).
struct DayContext: Sendable {
    var accumulatedVolume: Double
    var dayVWAP: Double
    var officialOpen: Double?
}
