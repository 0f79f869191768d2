import Foundation
import NIOCore
import PostgresNIO
import Storage

/// Turns postgres-nio's errors into one line a person can act on. `PSQLError`'s own description
/// hides everything (to never leak data); these lines say which server, which user and database,
/// what went wrong and how to fix it, and never the password.
enum PostgresFailure {
    /// The one-line reason a connection to `settings` failed, with the fix.
    static func connectMessage(_ error: any Error, settings: PostgresSettings) -> String {
        let server = "PostgreSQL at \(settings.hostAndPort)"
        if let error = error as? PSQLError {
            switch error.code {
            case .server:
                return serverConnectMessage(error, settings: settings)
            case .authMechanismRequiresPassword:
                return
                    "\(server) wants a password for user '\(settings.user)': set DB_PASSWORD or put it in the --db URL"
            case .sslUnsupported:
                return "\(server) does not accept TLS: use sslmode=disable in the --db URL, or enable ssl on the server"
            case .connectionError, .serverClosedConnection, .clientClosedConnection:
                return unreachable(error.underlying, settings: settings)
            default:
                return "cannot connect to \(server) as '\(settings.user)' (\(error.code))"
            }
        }
        return unreachable(error, settings: settings)
    }

    private static func serverConnectMessage(_ error: PSQLError, settings: PostgresSettings) -> String {
        let server = "PostgreSQL at \(settings.hostAndPort)"
        switch error.serverInfo?[.sqlState] {
        case "28P01", "28000":
            return
                "\(server) rejected user '\(settings.user)' (wrong password, unknown user, or no pg_hba.conf entry): "
                + "check DB_USER/DB_PASSWORD or the user and password in the --db URL"
        case "3D000":
            return
                "database '\(settings.database)' does not exist on \(server): create it "
                + "(createdb -h \(settings.host) -p \(settings.port) -U \(settings.user) \(settings.database)) "
                + "or name another one in DB_NAME or the --db URL"
        case "53300":
            return
                "\(server) has no free connection slot (too many clients): lower the workers or raise max_connections"
        case "57P03":
            return "\(server) is starting up or shutting down: try again in a moment"
        default:
            return "\(server) refused the connection: \(serverText(error))"
        }
    }

    private static func unreachable(_ underlying: (any Error)?, settings: PostgresSettings) -> String {
        let fix =
            "is the server running and listening there? Check DB_HOST/DB_PORT or the host and port of the --db URL"
        let reason: String
        switch underlying {
        case let error as IOError where error.errnoCode == ECONNREFUSED: reason = "connection refused"
        case let error as IOError: reason = "\(error)"
        case is ChannelError: reason = "timed out or closed"
        case let error as NIOConnectionError:
            reason = error.dnsAAAAError != nil || error.dnsAError != nil ? "host name not found" : "connection refused"
        case let error?: reason = "\(error)"
        case nil: reason = "connection closed"
        }
        return "cannot reach PostgreSQL at \(settings.hostAndPort) (\(reason)): \(fix)"
    }

    /// `SQLSTATE: message` from a server error; the error's code otherwise. Server messages carry
    /// no password (statements are bound with parameters).
    static func serverText(_ error: any Error) -> String {
        if let error = error as? PostgresTransactionError,
            let inner = error.beginError ?? error.closureError ?? error.commitError
        {
            return serverText(inner)
        }
        guard let error = error as? PSQLError else { return "\(error)" }
        guard let info = error.serverInfo else {
            return error.underlying.map { "\(error.code): \($0)" } ?? "\(error.code)"
        }
        let state = info[.sqlState] ?? "?"
        let message = info[.message] ?? "server error"
        return info[.detail].map { "\(state): \(message) (\($0))" } ?? "\(state): \(message)"
    }

    /// A store error whose text is the server's message rather than PSQLError's generic description.
    static func storageError(_ code: StorageError.Code, _ message: String, _ error: any Error) -> StorageError {
        if let error = error as? StorageError { return error }
        if error is PostgresReconnect.Unreachable { return StorageError(.unreachable, "\(message): \(error)") }
        return StorageError(code, "\(message): \(serverText(error))")
    }
}
