/// One event of a feed frame. Every server frame is a JSON array that may mix kinds and tickers.
public enum FeedMessage: Sendable, Equatable {
    /// `AM`.
    case minuteBar(FeedAggregate)
    /// `A`.
    case secondBar(FeedAggregate)
    /// `T`.
    case trade(FeedTrade)
    /// `Q`.
    case quote(FeedQuote)
    /// `LULD`.
    case limitBand(FeedLimitBand)
    /// `NOI`.
    case imbalance(FeedImbalance)
    /// `status`.
    case status(FeedStatus)
    /// An `ev` this client does not know (new event kinds, other markets): skipped, not an error.
    case unknown(ev: String)
    /// A known `ev` whose fields do not decode (a required one missing or of the wrong type).
    case malformed(ev: String, reason: String)
}

/// Decodes one element of a frame, never throwing: a bad element becomes
/// ``FeedMessage/malformed(ev:reason:)`` so that the rest of its frame still arrives.
struct FeedMessageElement: Decodable {
    let message: FeedMessage

    private enum Key: String, CodingKey { case ev }

    init(from decoder: any Decoder) {
        var ev = ""
        do {
            ev = try decoder.container(keyedBy: Key.self).decode(String.self, forKey: .ev)
            message = try FeedMessageElement.decode(ev: ev, decoder)
        } catch {
            message = .malformed(ev: ev, reason: FeedMessageElement.describe(error))
        }
    }

    private static func decode(ev: String, _ decoder: any Decoder) throws -> FeedMessage {
        switch ev {
        case "AM": return .minuteBar(try FeedAggregate(from: decoder))
        case "A": return .secondBar(try FeedAggregate(from: decoder))
        case "T": return .trade(try FeedTrade(from: decoder))
        case "Q": return .quote(try FeedQuote(from: decoder))
        case "LULD": return .limitBand(try FeedLimitBand(from: decoder))
        case "NOI": return .imbalance(try FeedImbalance(from: decoder))
        case "status": return .status(try FeedStatus(from: decoder))
        default: return .unknown(ev: ev)
        }
    }

    /// A short reason naming the field, without the decoder's full context dump.
    static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "field '\(path)': \(context.debugDescription)"
        default: return String(describing: error)
        }
    }
}
