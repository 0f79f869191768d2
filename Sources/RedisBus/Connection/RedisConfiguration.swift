/// Where Redis is and how to log in. From the environment: `REDIS_HOST` (default `127.0.0.1`),
/// `REDIS_PORT` (default `6380`, as in the original system), `REDIS_PASSWORD` (default none).
public struct RedisConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Sent with `AUTH`; never logged, never part of an error message or `description`.
    public var password: String?
    /// How long one connect attempt may take.
    public var connectTimeout: Duration
    /// The name this client shows in `CLIENT LIST` (helps find who holds a connection).
    public var clientName: String

    public init(
        host: String = "127.0.0.1", port: Int = 6380, password: String? = nil,
        connectTimeout: Duration = .seconds(5), clientName: String = "backfill"
    ) {
        self.host = host
        self.port = port
        self.password = password
        self.connectTimeout = connectTimeout
        self.clientName = clientName
    }

    /// Reads `REDIS_HOST`, `REDIS_PORT` and `REDIS_PASSWORD`; missing keys take their defaults.
    /// - Throws: `RedisBusError` when `REDIS_PORT` is not a port number.
    public static func fromEnvironment(_ environment: [String: String]) throws(RedisBusError) -> Self {
        var configuration = Self()
        if let host = environment["REDIS_HOST"], !host.isEmpty { configuration.host = host }
        if let text = environment["REDIS_PORT"], !text.isEmpty {
            guard let port = Int(text), (1...65_535).contains(port) else {
                throw RedisBusError(
                    code: .unreachable, message: "REDIS_PORT '\(text)' is not a port number (1-65535)")
            }
            configuration.port = port
        }
        if let password = environment["REDIS_PASSWORD"], !password.isEmpty { configuration.password = password }
        return configuration
    }

    /// `host:port`, for messages.
    public var endpoint: String { "\(host):\(port)" }
}

extension RedisConfiguration: CustomStringConvertible {
    /// The address and whether a password is set, never the password.
    public var description: String {
        "Redis \(endpoint)\(password == nil ? "" : " (password set)")"
    }
}
