/// A control message (`ev: status`): the greeting, the auth answer, subscription acks, errors.
public struct FeedStatus: Sendable, Equatable, Decodable, CustomStringConvertible {
    /// The `status` values the client acts on; others pass through unchanged.
    public struct Kind: RawRepresentable, Sendable, Hashable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let connected = Kind(rawValue: "connected")
        public static let authSuccess = Kind(rawValue: "auth_success")
        public static let authFailed = Kind(rawValue: "auth_failed")
        /// A subscription ack: `subscribed to: AM.AAPL` or `unsubscribed to: AM.AAPL`.
        public static let success = Kind(rawValue: "success")
        public static let error = Kind(rawValue: "error")
    }

    public var status: Kind
    public var message: String

    public init(_ status: Kind, message: String) {
        self.status = status
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case status, message
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = Kind(rawValue: try c.decode(String.self, forKey: .status))
        message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
    }

    public var description: String { "\(status.rawValue): \(message)" }
}
