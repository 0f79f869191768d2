/// The JSON Polygon sends with a failure: `status` plus the text in `error` (for `ERROR`) or
/// `message` (for `NOT_AUTHORIZED`).
public struct ErrorBody: Decodable, Sendable, Equatable {
    public var status: String?
    public var requestID: String?
    public var error: String?
    public var message: String?

    enum CodingKeys: String, CodingKey {
        case status, error, message
        case requestID = "request_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        requestID = try container.decodeLenientString(forKey: .requestID)
        error = try container.decodeIfPresent(String.self, forKey: .error)
        message = try container.decodeIfPresent(String.self, forKey: .message)
    }

    /// The human text, whichever key carried it.
    public var text: String? { error ?? message }
}
