import Foundation
import Logging
import MessageBus
import RedisBus
import Synchronization

/// A real `redis-server` child process on a free loopback port, for one test. Stopped (by PID) and
/// restarted on the same port at will; `stop()` runs from `defer`. No global Redis service needed.
final class RedisServer: Sendable {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "redis-server is not installed: the Redis tests need it (Debian package redis-server; "
                + "scripts/install-system-packages.sh installs it, as CI does)"
        }
    }

    let port: Int
    let password: String?
    /// Append-only file in a temp folder, so that a restart keeps streams and groups.
    let persistent: Bool
    private let directory: URL
    private let process = Mutex<Process?>(nil)

    init(password: String? = nil, persistent: Bool = false) throws {
        self.port = try Self.freePort()
        self.password = password
        self.persistent = persistent
        self.directory = try TestSupport.temporaryDirectory()
    }

    /// Starts a server and waits until it answers PING.
    static func started(password: String? = nil, persistent: Bool = false) async throws -> RedisServer {
        let server = try RedisServer(password: password, persistent: persistent)
        try await server.start()
        return server
    }

    var configuration: RedisConfiguration {
        RedisConfiguration(host: "127.0.0.1", port: port, password: password, connectTimeout: .seconds(2))
    }

    static var executable: URL? {
        ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/opt/homebrew/bin/redis-server"]
            .map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    func start() async throws {
        guard let executable = Self.executable else { throw Missing() }
        var arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", directory.path]
        arguments += persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]
        if let password { arguments += ["--requirepass", password] }
        let child = Process()
        child.executableURL = executable
        child.arguments = arguments
        child.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        child.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try child.run()
        process.withLock { $0 = child }
        try await waitUntilReady()
    }

    private func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                let connection = try await RedisConnection.connect(configuration)
                defer { connection.close() }
                try await connection.send(RESPCommand("PING"))
                return
            } catch  where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Stops the server (SIGKILL, like a crash; then waits for it to exit).
    func stop() {
        guard let child = process.withLock({ $0.take() }) else { return }
        // SIGKILL: a child spawned from a Dispatch thread inherits its blocked signals, SIGTERM included.
        if ChildExit.isRunning(child) { kill(child.processIdentifier, SIGKILL) }
        _ = ChildExit.waitBlocking(child)
    }

    /// Stops and starts again on the same port (and, when persistent, the same data).
    func restart() async throws {
        stop()
        try await start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A port nothing listens on right now: bind port 0, read what the kernel gave, release it.
    static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(socket, raw, length) == 0 && getsockname(socket, raw, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Runs `body` with a `RedisMessageBus` whose `run()` is going, then cancels it.
func withRunningBus<T: Sendable>(
    _ configuration: RedisConfiguration, _ body: @Sendable (RedisMessageBus) async throws -> T
) async throws -> T {
    let bus = RedisMessageBus(configuration: configuration, logger: TestSupport.quietLogger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await bus.run() }
        defer { group.cancelAll() }
        return try await body(bus)
    }
}

/// Collects a stream's messages as they arrive, so a test can wait for a count without cancelling
/// the stream (cancelling a waiting `next()` would end it).
final class MessageCollector: Sendable {
    private let received = Mutex<[BusMessage]>([])

    var messages: [BusMessage] { received.withLock { $0 } }

    /// Consumes `stream` until it ends; run it in a task group beside the test.
    func collect(_ stream: AsyncStream<BusMessage>) async {
        for await message in stream { received.withLock { $0.append(message) } }
    }

    /// Waits until at least `count` messages arrived (true) or `timeout` passed (false).
    func waitFor(count: Int, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if received.withLock({ $0.count }) >= count { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return received.withLock { $0.count } >= count
    }
}
