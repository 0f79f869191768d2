/// The one error type of the `Polygon` module: what failed, where (URL with the key redacted), and
/// whether trying again can help.
public struct PolygonError: Error, CustomStringConvertible {
    /// An extensible classification, in the style of postgres-nio's `PSQLError.Code`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// No API key was configured.
        public static let missingAPIKey = Code("missing-api-key")
        /// HTTP 401: the key is unknown or absent.
        public static let unauthorized = Code("unauthorized")
        /// HTTP 403 or `NOT_AUTHORIZED`: the plan does not include this data.
        public static let forbidden = Code("forbidden")
        /// HTTP 429.
        public static let rateLimited = Code("rate-limited")
        /// HTTP 5xx, or a gateway page.
        public static let server = Code("server")
        /// Any other HTTP status (400, 404…).
        public static let badRequest = Code("bad-request")
        /// The body is not the JSON the endpoint documents (malformed, truncated, HTML with 200).
        public static let malformedBody = Code("malformed-body")
        /// The JSON is valid but a required field is missing or has the wrong type.
        public static let missingField = Code("missing-field")
        /// The connection failed, was reset, or timed out.
        public static let transport = Code("transport")
        /// The configuration (base URL, ticker) cannot form a request.
        public static let invalidRequest = Code("invalid-request")
    }

    public var code: Code
    /// A sentence for a person: what failed and what to do. Never contains a secret.
    public var message: String
    /// The request URL with any API key removed.
    public var url: String?
    /// The HTTP status, when a response arrived.
    public var httpStatus: Int?
    /// Whether repeating the same request may succeed (429, 5xx, resets, truncated bodies).
    public var isRetryable: Bool
    /// The lower-level error, when there is one.
    public var underlying: (any Error)?
    public var file: String
    public var line: Int

    public init(
        _ code: Code, _ message: String, url: String? = nil, httpStatus: Int? = nil, isRetryable: Bool,
        underlying: (any Error)? = nil, file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.url = url
        self.httpStatus = httpStatus
        self.isRetryable = isRetryable
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    public var description: String {
        var text = message
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        if let url { text += " [\(url)]" }
        return text
    }

    /// The same error with context prepended, e.g. the ticker and range being fetched.
    public func adding(context: String) -> PolygonError {
        var copy = self
        copy.message = "\(context): \(message)"
        return copy
    }
}
