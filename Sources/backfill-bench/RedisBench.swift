import Dispatch
import Foundation
import Logging
import MessageBus
import RedisBus
import Synchronization

/// Publish-to-receive latency over Redis pub/sub on loopback: a `redis-server` child on a free
/// port, one `RedisMessageBus` publishing bar-sized JSON at 10,000 messages/s (10 per millisecond
/// tick, pipelined in one write) and another receiving them through a `bars.1m.` pattern subscription. Each
/// payload carries its send instant; latency = receive instant - send instant, in one process.
enum RedisBench {
    static let ratePerSecond = 10_000
    static let seconds = 5
    static let perTick = 10

    static func run() async throws {
        let server = try await BenchRedisServer.start()
        defer { server.stop() }
        var logger = Logger(label: "redis-bench")
        logger.logLevel = .warning
        let configuration = RedisConfiguration(host: "127.0.0.1", port: server.port)
        let subscriber = RedisMessageBus(configuration: configuration, logger: logger)
        let publisher = RedisMessageBus(configuration: configuration, logger: logger)
        let total = ratePerSecond * seconds
        let latencies = LatencyLog()
        let (sent, elapsed) = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await subscriber.run() }
            let stream = try await subscriber.subscription(topicPrefix: "bars.1m.", bufferSize: total)
            group.addTask {
                for await message in stream {
                    let now = DispatchTime.now().uptimeNanoseconds
                    let sentAt = UInt64(message.text.prefix { $0 != "," }.dropFirst(6)) ?? now
                    let count = latencies.values.withLock {
                        $0.append(now - sentAt); return $0.count
                    }
                    if count == total { return }
                }
            }
            let result = try await publish(publisher, total: total)
            let deadline = ContinuousClock.now + .seconds(5)
            while latencies.values.withLock({ $0.count }) < total, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            group.cancelAll()
            return result
        }
        report(latencies.values.withLock { $0 }.sorted(), sent: sent, elapsed: elapsed)
    }

    /// Publishes `total` messages at `ratePerSecond`, one pipelined batch per tick; up to
    /// `window` batches may await their replies at once, so a round trip never holds up the clock.
    /// Returns how many went out and how long it took.
    static func publish(_ bus: RedisMessageBus, total: Int, window: Int = 16) async throws -> (Int, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let symbols = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "BRK.B", "JPM", "V"]
        try await withThrowingTaskGroup(of: Void.self) { group in
            var sent = 0
            var inFlight = 0
            while sent < total {
                let tick = start + .microseconds(1_000_000 * sent / ratePerSecond)
                if tick > clock.now { try await clock.sleep(until: tick) }
                if inFlight == window {
                    try await group.next()
                    inFlight -= 1
                }
                let messages = (0..<perTick).map { index in
                    let symbol = symbols[(sent + index) % symbols.count]
                    let payload =
                        #"{"ts":\#(DispatchTime.now().uptimeNanoseconds),"sym":"\#(symbol)","o":187.12,"h":187.4,"#
                        + #""l":186.98,"c":187.31,"v":48213,"vw":187.2104,"n":412,"t":1736175600000}"#
                    return BusMessage(topic: Topic.bars(timeframe: "1m", symbol: symbol), text: payload)
                }
                group.addTask { try await bus.publish(contentsOf: messages) }
                inFlight += 1
                sent += perTick
            }
            try await group.waitForAll()
        }
        return (total, clock.now - start)
    }

    static func report(_ sorted: [UInt64], sent: Int, elapsed: Duration) {
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1_000
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            String(
                format: "published %d in %.2f s (%.0f msg/s), received %d (lost %d)", sent, seconds,
                Double(sent) / seconds, sorted.count, sent - sorted.count))
        print(
            String(
                format: "publish-to-receive latency: p50 %.0f µs, p99 %.0f µs, p99.9 %.0f µs, max %.0f µs",
                percentile(0.5), percentile(0.99), percentile(0.999), percentile(1)))
    }
}

/// Receive latencies in nanoseconds, shared between the receiving task and the report.
final class LatencyLog: Sendable {
    let values = Mutex<[UInt64]>([])
}

/// A `redis-server` child process on a free loopback port, without persistence.
struct BenchRedisServer {
    let process: Process
    let port: Int

    static func start() async throws -> BenchRedisServer {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/redis-server") else {
            throw RedisBusError(code: .unreachable, message: "redis-server is not installed (Debian redis-server)")
        }
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let configuration = RedisConfiguration(host: "127.0.0.1", port: port)
        for _ in 0..<500 {
            if let connection = try? await RedisConnection.connect(configuration) {
                connection.close()
                return BenchRedisServer(process: process, port: port)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(process.processIdentifier, SIGKILL)
        throw RedisBusError(code: .unreachable, message: "redis-server did not answer on port \(port)")
    }

    func stop() {
        // SIGKILL: a child spawned from a Dispatch thread inherits its blocked signals, SIGTERM included.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(socket, raw, length) == 0 && getsockname(socket, raw, &length) == 0
            }
        }
        guard bound else { throw RedisBusError(code: .unreachable, message: "no free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
