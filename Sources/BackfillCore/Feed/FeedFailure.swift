/// Why a live feed gave up.
public struct FeedFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The server answered `auth_failed`: the key is wrong or the plan has no WebSocket access.
        case authenticationFailed = "authentication-failed"
        /// A failure that retrying cannot fix (a bad URL, a refused upgrade).
        case connectionRefused = "connection-refused"
        /// The reconnect policy's attempts ran out without the feed streaming again.
        case tooManyReconnects = "too-many-reconnects"
    }

    public var kind: Kind
    /// What happened, for a person; never contains a secret.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
