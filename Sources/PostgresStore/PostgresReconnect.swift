import Foundation
import Logging
import NIOCore
import PostgresNIO
import Storage
import Synchronization

/// Riding out a server that goes away for a while (a restart, a failover, a network blip): a
/// transaction that failed because its connection was lost or refused is run again, with backoff,
/// until ``PostgresSettings/reconnectDeadline``. That is safe because every write is an idempotent
/// upsert and a failed transaction left nothing behind. Waiting for a pooled connection has its own
/// deadline (``PostgresSettings/acquireTimeout``): postgres-nio's pool keeps a request waiting
/// while it reconnects, up to a minute, so without one a statement could wait indefinitely.
final class PostgresReconnect: Sendable {
    /// The deadline passed with the server still away.
    struct Unreachable: Error, CustomStringConvertible {
        var server: String
        var seconds: Int
        var retries: Int
        var reason: String

        var description: String {
            "PostgreSQL at \(server) unreachable for \(seconds) s (\(retries) retries; last: \(reason)): "
                + "check that the server is up, or wait longer with --db-retry-seconds"
        }
    }

    /// No pooled connection within the acquisition deadline.
    struct AcquireTimeout: Error, CustomStringConvertible {
        var seconds: Int64
        var description: String { "no connection from the pool within \(seconds) s" }
    }

    private struct Outage {
        var retries = 0
        var since: ContinuousClock.Instant?
        var lastReport: ContinuousClock.Instant?
    }

    let settings: PostgresSettings
    let onEvent: @Sendable (PostgresBarStore.ConnectionEvent) -> Void
    private let outage = Mutex(Outage())

    init(settings: PostgresSettings, onEvent: @escaping @Sendable (PostgresBarStore.ConnectionEvent) -> Void) {
        self.settings = settings
        self.onEvent = onEvent
    }

    /// Runs `operation` until it succeeds, fails for another reason than the connection, or the
    /// deadline passes (then throws ``Unreachable``). Cancellation stops the waiting.
    func run<T>(_ operation: () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + settings.reconnectDeadline
        var attempt = 0
        while true {
            do {
                let value = try await operation()
                recovered()
                return value
            } catch  where Self.isConnectionFailure(error) && !Task.isCancelled {
                attempt += 1
                let reason = Self.reason(error)
                guard ContinuousClock.now < deadline else {
                    throw Unreachable(
                        server: settings.hostAndPort, seconds: Int(settings.reconnectDeadline.components.seconds),
                        retries: attempt - 1, reason: reason)
                }
                failed(reason: reason)
                // 0.25 s, 0.5 s, 1 s, 2 s, then every 4 s: a restart is usually over in seconds.
                let delay = Duration.milliseconds(250 << min(attempt - 1, 4))
                try await Task.sleep(for: min(delay, deadline - ContinuousClock.now))
            }
        }
    }

    /// Runs `body` on a pooled connection, giving up waiting for one after the acquisition deadline.
    /// The body runs in a child task while this task waits for it, never concurrently with the
    /// caller, which is what lets a non-Sendable closure cross (`Handoff`).
    func withConnection<T: Sendable>(
        _ client: PostgresClient, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let timeout = settings.acquireTimeout
        return try await withoutActuallyEscaping(body) { escapable in
            let handoff = Handoff(body: escapable)
            let acquired = Flag()
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await client.withConnection { connection in
                        acquired.set()
                        return try await handoff.body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    if acquired.isSet { return nil }
                    throw AcquireTimeout(seconds: timeout.components.seconds)
                }
                defer { group.cancelAll() }
                while let next = try await group.next() {
                    if let value = next { return value }
                }
                throw CancellationError()
            }
        }
    }

    private func failed(reason: String) {
        let now = ContinuousClock.now
        let report = outage.withLock { state -> Int? in
            state.retries += 1
            if state.since == nil { state.since = now }
            // One line a second at most, however many transactions are waiting.
            if let last = state.lastReport, now - last < .seconds(1) { return nil }
            state.lastReport = now
            return state.retries
        }
        if let report { onEvent(.retrying(retries: report, reason: reason)) }
    }

    private func recovered() {
        let since = outage.withLock { state -> ContinuousClock.Instant? in
            guard let since = state.since else { return nil }
            state = Outage()
            return since
        }
        if let since {
            let elapsed = ContinuousClock.now - since
            onEvent(
                .reconnected(
                    seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18))
        }
    }

    /// Whether `error` says the connection was lost, refused or is being shut down — rather than
    /// anything about the statement — so running the transaction again may succeed.
    static func isConnectionFailure(_ error: any Error) -> Bool {
        switch error {
        case let error as PostgresTransactionError:
            return [error.beginError, error.closureError, error.commitError].contains {
                $0.map(isConnectionFailure) ?? false
            }
        case let error as PSQLError:
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
                return true
            case .server:
                return isConnectionState(error.serverInfo?[.sqlState])
            default:
                return false
            }
        case is AcquireTimeout, is IOError, is ChannelError:
            return true
        default:
            // postgres-nio's pool fails waiting requests with its ConnectionPoolError (circuit breaker
            // open after a minute without a connection), from a module this one does not import.
            return String(reflecting: type(of: error)).hasSuffix("ConnectionPoolError")
                && !String(describing: error).contains("poolShutdown")
        }
    }

    /// Class 08 (connection exception), 57P01–57P03 (admin or crash shutdown, cannot connect now).
    static func isConnectionState(_ state: String?) -> Bool {
        guard let state else { return false }
        return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
    }

    /// A short reason for the progress line.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as PostgresTransactionError:
            let inner = [error.beginError, error.closureError, error.commitError].compactMap { $0 }
            return inner.first(where: isConnectionFailure).map(reason) ?? "\(error)"
        case let error as PSQLError:
            if error.code == .server { return PostgresFailure.serverText(error) }
            if let underlying = error.underlying as? IOError, underlying.errnoCode == ECONNREFUSED {
                return "connection refused"
            }
            return "\(error.code)"
        default:
            return "\(error)"
        }
    }
}

/// Set once, read from another task.
private final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// A closure handed to a child task that runs it while its parent waits, never concurrently with
/// anything that shares its captures: this is what makes the unchecked Sendable sound.
private struct Handoff<Body>: @unchecked Sendable {
    let body: Body
}
