import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns NIO's connect errors and Redis's AUTH replies into one line that says which setting to fix.
enum RedisConnectFailure {
    static func describe(_ error: any Error, configuration: RedisConfiguration) -> RedisBusError {
        let reason = reason(for: error)
        return RedisBusError(
            code: .unreachable,
            message: "cannot reach Redis at \(configuration.endpoint) (REDIS_HOST/REDIS_PORT): \(reason)")
    }

    static func describeAuth(_ error: RedisBusError, configuration: RedisConfiguration) -> RedisBusError {
        guard error.code == .server else { return error }
        let text = error.message
        let endpoint = configuration.endpoint
        if text.hasPrefix("WRONGPASS") || text.contains("invalid password") || text.contains("invalid username") {
            return RedisBusError(
                code: .authentication,
                message: "Redis refused the password in REDIS_PASSWORD (at \(endpoint)); check REDIS_PASSWORD")
        }
        if text.hasPrefix("NOAUTH") {
            return RedisBusError(
                code: .authentication,
                message: "Redis at \(endpoint) requires a password; set REDIS_PASSWORD")
        }
        if text.contains("without any password configured") {
            return RedisBusError(
                code: .authentication,
                message:
                    "REDIS_PASSWORD is set but Redis at \(endpoint) has no password configured; unset REDIS_PASSWORD")
        }
        return RedisBusError(code: .server, message: "Redis at \(endpoint) refused the login: \(text)")
    }

    private static func reason(for error: any Error) -> String {
        if let connection = error as? NIOConnectionError {
            if connection.dnsAError != nil || connection.dnsAAAAError != nil {
                return "host not found"
            }
            if let first = connection.connectionErrors.first {
                return reason(for: first.error)
            }
            return "no address to connect to"
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ETIMEDOUT: return "timed out"
            case EHOSTUNREACH, ENETUNREACH: return "no route to host"
            default: return String(cString: strerror(io.errnoCode))
            }
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return "timed out"
        }
        if error is SocketAddressError { return "host not found" }
        return "\(error)"
    }
}
