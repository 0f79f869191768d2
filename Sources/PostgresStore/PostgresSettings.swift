import Foundation
import Storage

/// Where and how to reach PostgreSQL: from a `postgres://user:pass@host:port/db` URL, or from the
/// environment (`DB_HOST`, `DB_PORT`, `DB_NAME`, `DB_USER`, `DB_PASSWORD`). The password is kept out
/// of every description: ``redacted`` is what logs, errors and summaries show.
public struct PostgresSettings: Sendable, Equatable, CustomStringConvertible {
    /// Whether the connection is encrypted.
    public enum TLSMode: String, Sendable, Equatable {
        /// Plain TCP (the default on loopback, where TLS buys nothing).
        case disable
        /// TLS when the server offers it (the default elsewhere).
        case prefer
        /// TLS or no connection.
        case require
    }

    public var host: String
    /// TCP port (default 5432).
    public var port: Int
    public var database: String
    public var user: String
    public var password: String?
    public var tls: TLSMode
    /// Server-side limit on each statement, in milliseconds (0: none). Default 5 minutes: a day
    /// file's merge is the longest statement.
    public var statementTimeoutMs: Int
    public static let defaultStatementTimeoutMs = 300_000
    /// Connections in the pool at most.
    public var maximumConnections: Int
    /// How long a connection attempt may take.
    public var connectTimeout: Duration
    /// How long a statement waits for a pooled connection before that counts as the server being
    /// unreachable (and is retried until ``reconnectDeadline``).
    public var acquireTimeout: Duration
    /// How long a transaction that failed on a lost or refused connection is retried (the server
    /// restarting, a network blip) before the store gives up with one line saying so.
    public var reconnectDeadline: Duration

    public init(
        host: String, port: Int = 5432, database: String, user: String, password: String? = nil,
        tls: TLSMode? = nil, statementTimeoutMs: Int = defaultStatementTimeoutMs, maximumConnections: Int = 8,
        connectTimeout: Duration = .seconds(10), acquireTimeout: Duration = .seconds(15),
        reconnectDeadline: Duration = .seconds(120)
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.password = password
        self.tls = tls ?? Self.defaultTLS(host: host)
        self.statementTimeoutMs = statementTimeoutMs
        self.maximumConnections = maximumConnections
        self.connectTimeout = connectTimeout
        self.acquireTimeout = acquireTimeout
        self.reconnectDeadline = reconnectDeadline
    }

    /// Whether `text` names PostgreSQL rather than a SQLite file (`postgres://` or `postgresql://`).
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `postgres://user:pass@host:port/db?sslmode=require&statement_timeout=60000`. Parts the
    /// URL leaves out come from `environment` (`DB_USER`, `DB_PASSWORD`, …), so the password can stay
    /// out of the command line.
    /// - Throws: ``StorageError`` (`cannot-open`) naming what is wrong, with the password redacted.
    public init(url text: String, environment: [String: String] = [:]) throws {
        guard Self.isURL(text), let components = URLComponents(string: text) else {
            throw StorageError(
                .cannotOpen,
                "'\(Self.redact(text))' is not a PostgreSQL URL (expected postgres://user:password@host:port/database)")
        }
        let name = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        var tls: TLSMode?
        if let mode = query["sslmode"] {
            guard let parsed = TLSMode(rawValue: mode) else {
                throw StorageError(.cannotOpen, "sslmode=\(mode) in the PostgreSQL URL: use disable, prefer or require")
            }
            tls = parsed
        }
        let fallback = try Self.fromEnvironmentParts(environment)
        self.init(
            // An IPv6 literal comes bracketed ("[::1]"); the settings hold the bare address.
            host: components.host.flatMap { $0.isEmpty ? nil : $0.trimmingCharacters(in: ["[", "]"]) }
                ?? fallback.host ?? "127.0.0.1",
            port: components.port ?? fallback.port ?? 5432,
            database: name.isEmpty ? (fallback.database ?? "trading") : name,
            user: components.user?.removingPercentEncoding ?? fallback.user ?? "postgres",
            password: components.password?.removingPercentEncoding ?? fallback.password,
            tls: tls)
        if let timeout = query["statement_timeout"] {
            guard let value = Int(timeout), value >= 0 else {
                throw StorageError(.cannotOpen, "statement_timeout=\(timeout) in the PostgreSQL URL: give milliseconds")
            }
            statementTimeoutMs = value
        }
    }

    /// The settings `DB_HOST` (and the other `DB_*` keys) describe, or nil when `DB_HOST` is not set.
    /// - Throws: ``StorageError`` when `DB_PORT` is not a port number.
    public static func fromEnvironment(_ environment: [String: String]) throws -> PostgresSettings? {
        let parts = try fromEnvironmentParts(environment)
        guard let host = parts.host else { return nil }
        return PostgresSettings(
            host: host, port: parts.port ?? 5432, database: parts.database ?? "trading",
            user: parts.user ?? "postgres",
            password: parts.password)
    }

    private static func fromEnvironmentParts(_ environment: [String: String]) throws -> (
        host: String?, port: Int?, database: String?, user: String?, password: String?
    ) {
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        var port: Int?
        if let text = value("DB_PORT") {
            guard let number = Int(text), (1...65_535).contains(number) else {
                throw StorageError(.cannotOpen, "DB_PORT=\(text) is not a TCP port number (1-65535)")
            }
            port = number
        }
        return (value("DB_HOST"), port, value("DB_NAME"), value("DB_USER"), value("DB_PASSWORD"))
    }

    /// `postgres://user@host:port/database`: the URL without the password, for logs and messages.
    public var redacted: String { "postgres://\(user)@\(hostAndPort)/\(database)" }

    public var description: String { redacted }

    /// A URL that ``init(url:environment:)`` reads back into these settings once the password is
    /// added from `DB_PASSWORD`: for a child process's command line, which must not hold it.
    public var urlWithoutPassword: String {
        func encoded(_ text: String, _ allowed: CharacterSet) -> String {
            text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
        }
        var query: [String] = []
        if tls != Self.defaultTLS(host: host) { query.append("sslmode=\(tls.rawValue)") }
        if statementTimeoutMs != Self.defaultStatementTimeoutMs {
            query.append("statement_timeout=\(statementTimeoutMs)")
        }
        return "postgres://\(encoded(user, .urlUserAllowed))@\(hostAndPort)/\(encoded(database, .urlPathAllowed))"
            + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    var hostAndPort: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// `text` with any password between `://user:` and `@` replaced by `***`.
    public static func redact(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].lastIndex(of: "@"),
            let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }

    /// Plain TCP on loopback (where TLS buys nothing), TLS when offered elsewhere.
    static func defaultTLS(host: String) -> TLSMode { isLoopback(host) ? .disable : .prefer }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
