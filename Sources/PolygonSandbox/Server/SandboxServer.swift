import BackfillCore
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The offline Polygon twin: the same paths, JSON, pagination and error bodies over real HTTP.
public struct SandboxServer: Sendable {
    public let configuration: SandboxConfiguration
    public let statistics = SandboxStatistics()
    public let market: SyntheticMarket
    let endpoint: AggregatesEndpoint

    public init(configuration: SandboxConfiguration) {
        self.configuration = configuration
        self.market = SyntheticMarket(seed: configuration.seed)
        self.endpoint = AggregatesEndpoint(market: market)
    }

    /// The sandbox as a `Service`, for a `ServiceGroup`; `onRunning` receives the bound port.
    public func makeApplication(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some Service {
        Application(
            router: makeRouter(),
            server: SandboxFeed(configuration: configuration, market: market).makeServerBuilder(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: configuration.logger
        )
    }

    /// Starts the sandbox, calls `body` with its base URL (`http://127.0.0.1:PORT`), then shuts it
    /// down gracefully, giving up after 3 s.
    ///
    /// The server runs in an unstructured task so that a shutdown that never completes cannot keep
    /// a finished caller waiting: seen as a `scraper --sandbox` run that printed its work and never
    /// exited, every thread idle, the service group's shutdown waiting on a connection that had
    /// already gone. A task group would wait for its server child whatever happened.
    public func withRunning<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = makeApplication { port in
            continuation.yield(port); continuation.finish()
        }
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], logger: configuration.logger)
        let server = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            await Self.stop(server, group)
            throw CancellationError()
        }
        do {
            let result = try await body("http://\(configuration.host):\(port)")
            await Self.stop(server, group)
            return result
        } catch {
            await Self.stop(server, group)
            throw error
        }
    }

    /// Asks the server to stop and waits for it at most `seconds`; then cancels it without waiting.
    static func stop(_ server: Task<Void, any Error>, _ group: ServiceGroup, seconds: Int = 3) async {
        await group.triggerGracefulShutdown()
        let once = Once()
        let stopped = await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            // Unstructured on purpose: whichever finishes first resumes; the other is left behind.
            Task {
                _ = try? await server.value
                if once.claim() { done.resume(returning: true) }
            }
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                if once.claim() { done.resume(returning: false) }
            }
        }
        if !stopped { server.cancel() }
    }

    /// Polygon's 401 bodies for a missing or unknown key; nil when the key is right.
    func authorize(_ request: Request) -> Response? {
        var key: String?
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            key = String(header.dropFirst(7))
        } else if let query = request.uri.queryParameters["apiKey"] {
            key = String(query)
        }
        guard let key, !key.isEmpty else {
            return ErrorResponses.json(
                .unauthorized, status: "ERROR", text: "API Key was not provided", requestID: nextID())
        }
        guard key == configuration.apiKey else {
            return ErrorResponses.json(.unauthorized, status: "ERROR", text: "Unknown API Key", requestID: nextID())
        }
        return nil
    }

    func apply(_ fault: Fault, ticker: String) async throws -> Response? {
        switch fault {
        case .latency(let ms):
            try await Task.sleep(for: .milliseconds(ms))
            return nil
        case .status(let code, let retryAfter):
            return ErrorResponses.status(code, retryAfter: retryAfter, requestID: nextID())
        case .gatewayHTML(let code):
            return ErrorResponses.gatewayHTML(code)
        case .malformedJSON:
            return ErrorResponses.ok(Array(#"{"ticker":"\#(ticker)","queryCount":2,"results":[{"v":100,"o":1.5,"#.utf8))
        case .missingField(let field):
            let fields = ["v": "100", "o": "1.5", "c": "1.6", "h": "1.7", "l": "1.4", "t": "1700000000000"]
                .filter { $0.key != field }.map { "\"\($0.key)\":\($0.value)" }.sorted().joined(separator: ",")
            return ErrorResponses.ok(
                Array(#"{"ticker":"\#(ticker)","status":"OK","request_id":"x","results":[{\#(fields)}]}"#.utf8))
        case .emptyResults:
            return ErrorResponses.ok(
                Array(
                    #"{"ticker":"\#(ticker)","queryCount":0,"resultsCount":0,"adjusted":false,"results":null,"status":"OK","request_id":"\#(nextID())"}"#
                        .utf8))
        case .resetMidBody:
            return nil  // answered by `serve`, which needs the body to cut it
        case .truncatedObject, .malformedRows:
            return nil  // flat-file faults apply to S3 objects only
        case .webSocketDrop, .webSocketDropAfter, .webSocketStall:
            return nil  // WebSocket faults: the feed applies them (SandboxFeed); REST answers normally
        }
    }

    func nextID() -> String { statistics.nextRequestID() }
}

/// Request counters by route, for tests and the sandbox's own log.
public final class SandboxStatistics: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    private let sequence = Atomic<UInt64>(0)

    func count(_ route: String) {
        counts.withLock { $0[route, default: 0] += 1 }
    }

    func nextRequestID() -> String {
        let n = sequence.add(1, ordering: .relaxed).newValue
        let hex = String(n &* 0x9E37_79B9_7F4A_7C15, radix: 16)
        return String(repeating: "0", count: 32 - hex.count) + hex
    }

    /// Requests received per route (`aggregates`), and answered normally (`aggregates.ok`).
    public subscript(route: String) -> Int { counts.withLock { $0[route] ?? 0 } }
}

/// True for the first caller only.
private final class Once: Sendable {
    private let claimed = Mutex(false)

    func claim() -> Bool {
        claimed.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
    }
}
