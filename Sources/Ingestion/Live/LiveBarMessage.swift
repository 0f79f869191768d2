import BackfillCore
import MessageBus

/// The JSON payload published on `bars.1m.{SYMBOL}` for each stored live or refilled bar:
///
/// ```json
/// {"symbol":"AAPL","timeframe":"1m","source":"live","revised":false,
///  "bar":{"t":1736175600000,"o":243.1,"h":243.5,"l":243,"c":243.4,"v":18250,"vw":243.31,"n":null},
///  "indicators":{"sma":243.2,"ema":243.1,"rsi":55.3,"macd":{"macd":0.1,"signal":0.08,"histogram":0.02},
///                "bollinger":{"upper":244,"middle":243.2,"lower":242.4},"vwap":243.0}}
/// ```
///
/// `t` is the bar's start in ms UTC; prices and volume are raw, as stored. An indicator still
/// warming up (or not configured) is `null`; `indicators` is `null` for a bar older than the
/// revision horizon, which is stored without moving the indicators. Written by hand: this is the
/// hot path of a whole-market minute.
public struct LiveBarMessage: Sendable, Equatable {
    public enum Source: String, Sendable {
        /// An `AM` event of the feed.
        case live
        /// Fetched from REST to fill a disconnection's gap.
        case refill
    }

    public var symbol: String
    public var bar: Bar
    public var indicators: IndicatorEngine.Values?
    public var source: Source
    /// Whether the bar replaced or filled a minute behind the newest (a re-broadcast or a refill).
    public var revised: Bool

    public init(symbol: String, bar: Bar, indicators: IndicatorEngine.Values?, source: Source, revised: Bool) {
        self.symbol = symbol
        self.bar = bar
        self.indicators = indicators
        self.source = source
        self.revised = revised
    }

    /// The bus message on `Topic.bars(timeframe: "1m", symbol:)`.
    public var busMessage: BusMessage {
        BusMessage(topic: Topic.bars(timeframe: Timeframe.minute.description, symbol: symbol), text: json)
    }

    /// The payload's JSON text.
    public var json: String {
        var out = #"{"symbol":""# + FeedCommand.escape(symbol) + #"","timeframe":"1m","source":""#
        out += source.rawValue + #"","revised":"# + (revised ? "true" : "false")
        out += #","bar":{"t":"# + String(bar.windowStartMs)
        out += #","o":"# + Self.number(bar.open) + #","h":"# + Self.number(bar.high)
        out += #","l":"# + Self.number(bar.low) + #","c":"# + Self.number(bar.close)
        out += #","v":"# + Self.number(bar.volume) + #","vw":"# + Self.number(bar.vwap)
        out += #","n":"# + (bar.transactions.map { String($0) } ?? "null") + "}"
        out += #","indicators":"# + (indicators.map(Self.indicatorsJSON) ?? "null") + "}"
        return out
    }

    private static func indicatorsJSON(_ values: IndicatorEngine.Values) -> String {
        var out = #"{"sma":"# + number(values.sma) + #","ema":"# + number(values.ema)
        out += #","rsi":"# + number(values.rsi) + #","macd":"#
        if let macd = values.macd {
            out += #"{"macd":"# + number(macd.macd) + #","signal":"# + number(macd.signal)
            out += #","histogram":"# + number(macd.histogram) + "}"
        } else {
            out += "null"
        }
        out += #","bollinger":"#
        if let bands = values.bollinger {
            out += #"{"upper":"# + number(bands.upper) + #","middle":"# + number(bands.middle)
            out += #","lower":"# + number(bands.lower) + "}"
        } else {
            out += "null"
        }
        return out + #","vwap":"# + number(values.vwap) + "}"
    }

    /// A JSON number (Swift's shortest round-trip form), or `null` when absent or not finite.
    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return value.description
    }
}
