import Logging
import NIOCore
import NIOPosix

/// One TCP connection to Redis, logged in and named. Commands may be sent from any task and are
/// pipelined; replies come back in order. A subscriber connection passes `onPush` for deliveries.
public final class RedisConnection: Sendable {
    private let channel: any Channel
    public let configuration: RedisConfiguration

    private init(channel: any Channel, configuration: RedisConfiguration) {
        self.channel = channel
        self.configuration = configuration
    }

    /// Connects, sends `AUTH` when a password is configured, and names the client.
    /// - Parameter onPush: receives pub/sub deliveries (`pmessage` arrays), on the connection's event loop.
    /// - Throws: `RedisBusError` `.unreachable` or `.authentication` with a one-line message.
    public static func connect(
        _ configuration: RedisConfiguration, onPush: (@Sendable (RESPValue) -> Void)? = nil
    ) async throws(RedisBusError) -> RedisConnection {
        let endpoint = configuration.endpoint
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(configuration.connectTimeout / .milliseconds(1))))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(RESPDecoder()),
                        RedisCommandHandler(endpoint: endpoint, onPush: onPush))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw RedisConnectFailure.describe(error, configuration: configuration)
        }
        let connection = RedisConnection(channel: channel, configuration: configuration)
        do {
            try await connection.logIn()
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    private func logIn() async throws(RedisBusError) {
        if let password = configuration.password {
            do {
                _ = try await send(RESPCommand("AUTH", password))
            } catch {
                throw RedisConnectFailure.describeAuth(error, configuration: configuration)
            }
        }
        do {
            _ = try await send(RESPCommand("CLIENT", "SETNAME", configuration.clientName))
        } catch {
            throw RedisConnectFailure.describeAuth(error, configuration: configuration)
        }
    }

    /// Sends one command and waits for its reply.
    /// - Throws: `RedisBusError` `.server` for an error reply (its text), `.connectionClosed` when the
    ///   connection drops first.
    @discardableResult
    public func send(_ command: RESPCommand) async throws(RedisBusError) -> RESPValue {
        let promise = channel.eventLoop.makePromise(of: RESPValue.self)
        let endpoint = configuration.endpoint
        channel.writeAndFlush(RedisRequest(command: command, promise: promise)).whenFailure { _ in
            promise.fail(RedisBusError.closed(endpoint))
        }
        do {
            return try await promise.futureResult.get()
        } catch let error as RedisBusError {
            throw error
        } catch {
            throw RedisBusError(code: .connectionClosed, message: "Redis at \(endpoint): \(error)")
        }
    }

    /// Sends several commands in one write (one flush, one syscall) and waits for all replies, in order.
    /// - Throws: the first failure: `RedisBusError` `.server` or `.connectionClosed`.
    public func send(pipelined commands: [RESPCommand]) async throws(RedisBusError) -> [RESPValue] {
        let endpoint = configuration.endpoint
        let channel = self.channel
        let requests = commands.map { command in
            RedisRequest(command: command, promise: channel.eventLoop.makePromise(of: RESPValue.self))
        }
        // One hop onto the event loop for the whole batch, rather than one per command.
        channel.eventLoop.execute {
            for request in requests {
                channel.write(request).whenFailure { _ in request.promise.fail(RedisBusError.closed(endpoint)) }
            }
            channel.flush()
        }
        let promises = requests.map(\.promise)
        var replies: [RESPValue] = []
        replies.reserveCapacity(promises.count)
        for promise in promises {
            do {
                replies.append(try await promise.futureResult.get())
            } catch let error as RedisBusError {
                throw error
            } catch {
                throw RedisBusError(code: .connectionClosed, message: "Redis at \(endpoint): \(error)")
            }
        }
        return replies
    }

    /// Sends a command without waiting for its reply (the reply still arrives and is discarded).
    public func sendAndForget(_ command: RESPCommand) {
        let promise = channel.eventLoop.makePromise(of: RESPValue.self)
        promise.futureResult.whenFailure { _ in }
        channel.writeAndFlush(RedisRequest(command: command, promise: promise)).whenFailure { error in
            promise.fail(error)
        }
    }

    /// Whether the TCP connection is still open.
    public var isActive: Bool { channel.isActive }

    /// Closes the connection; outstanding commands fail with `.connectionClosed`.
    public func close() {
        channel.close(promise: nil)
    }

    /// Waits until the connection has closed, from either side.
    public func closed() async {
        try? await channel.closeFuture.get()
    }
}
