/// A subscription change the client sends to the feed: `{"action":"subscribe","params":"AM.AAPL,T.MSFT"}`.
public struct FeedCommand: Sendable, Equatable, CustomStringConvertible {
    public enum Action: String, Sendable, Equatable {
        case subscribe, unsubscribe
    }

    public var action: Action
    /// The topics, sorted, without duplicates.
    public var topics: [FeedTopic]

    public init(_ action: Action, _ topics: some Sequence<FeedTopic>) {
        self.action = action
        self.topics = Set(topics).sorted()
    }

    /// The comma list Polygon expects in `params`.
    public var params: String { topics.map(\.description).joined(separator: ",") }

    /// The JSON text of the message. Topics hold no quotes or backslashes that need escaping
    /// once they came through ``FeedTopic``'s parser, but they are escaped anyway.
    public var json: String {
        #"{"action":"\#(action.rawValue)","params":"\#(FeedCommand.escape(params))"}"#
    }

    public var description: String { "\(action.rawValue) \(params)" }

    /// Escapes a string for a JSON string literal (quotes, backslashes, control characters).
    public static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
