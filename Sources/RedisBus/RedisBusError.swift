/// Every failure of the Redis bus: a code to switch on, and a one-line message that says what failed
/// and how to fix it. Messages never contain the password.
public struct RedisBusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, extensible without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Nothing listens at the address, the host is unknown, or the connect timed out.
        public static let unreachable = Code("unreachable")
        /// Redis refused the password, or wants one and none was given.
        public static let authentication = Code("authentication")
        /// The connection closed while a command was outstanding.
        public static let connectionClosed = Code("connectionClosed")
        /// Redis answered a command with an error reply.
        public static let server = Code("server")
        /// Bytes that are not RESP, or a reply of the wrong shape.
        public static let protocolError = Code("protocolError")
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Connection problems are worth retrying after a pause; a refused password or a bad command is not.
    public var isRetryable: Bool { code == .unreachable || code == .connectionClosed }

    static func protocolError(_ detail: String) -> Self {
        Self(code: .protocolError, message: "Redis protocol error: \(detail)")
    }

    static func closed(_ endpoint: String) -> Self {
        Self(code: .connectionClosed, message: "connection to Redis at \(endpoint) closed")
    }
}
