import Synchronization

/// A command connection that reconnects on demand: the first command after a drop opens a new
/// connection (one connect at a time, however many tasks ask), later ones reuse it.
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    private let current = Mutex<RedisConnection?>(nil)
    private let gate = ConnectGate()

    public init(configuration: RedisConfiguration) {
        self.configuration = configuration
    }

    /// Sends one command on the current connection, connecting first when there is none.
    /// - Throws: `RedisBusError`; `.unreachable`/`.connectionClosed` are retryable.
    @discardableResult
    public func send(_ command: RESPCommand) async throws(RedisBusError) -> RESPValue {
        try await connection().send(command)
    }

    /// The live connection, opened if needed.
    public func connection() async throws(RedisBusError) -> RedisConnection {
        if let connection = current.withLock({ $0 }), connection.isActive { return connection }
        do {
            return try await gate.connect(self)
        } catch let error as RedisBusError {
            throw error
        } catch {
            throw RedisBusError(code: .connectionClosed, message: "\(error)")
        }
    }

    fileprivate func connectIfNeeded() async throws(RedisBusError) -> RedisConnection {
        if let connection = current.withLock({ $0 }), connection.isActive { return connection }
        let connection = try await RedisConnection.connect(configuration)
        current.withLock { $0 = connection }
        return connection
    }

    /// Closes the connection; the next command opens a new one.
    public func close() {
        current.withLock { $0 }?.close()
    }
}

/// Serialises connects so that a burst of commands during an outage opens one connection, not many.
private actor ConnectGate {
    func connect(_ client: RedisClient) async throws -> RedisConnection {
        try await client.connectIfNeeded()
    }
}
