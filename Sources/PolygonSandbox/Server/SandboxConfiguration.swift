import BackfillCore
import Logging

/// Everything that shapes one sandbox instance.
public struct SandboxConfiguration: Sendable {
    /// The key the sandbox accepts, documented so anyone can use it.
    public static let defaultAPIKey = "sandbox-key"

    /// Interface to bind; tests and the embedded mode use loopback only.
    public var host: String
    /// 0 picks a free port.
    public var port: Int
    public var apiKey: String
    /// Seed of the synthetic market: same seed, same bars.
    public var seed: UInt64
    /// Tickers answered with 403 NOT_AUTHORIZED, for testing plan limits.
    public var forbiddenTickers: Set<String>
    public var faults: FaultInjector
    /// "Now" in ms UTC: bars after it do not exist yet.
    public var nowMs: @Sendable () -> Int64
    public var logger: Logger
    /// The S3 flat-file surface (credentials, bucket, universe); defaults documented in `S3Settings`.
    public var s3 = S3Settings()
    /// The WebSocket feed at `/stocks`: present or replayed time, speed, wildcard universe.
    public var feed: SandboxFeed.Configuration

    public init(
        host: String = "127.0.0.1", port: Int = 0, apiKey: String = SandboxConfiguration.defaultAPIKey,
        seed: UInt64 = 42,
        forbiddenTickers: Set<String> = [], faults: FaultInjector = FaultInjector(),
        nowMs: @escaping @Sendable () -> Int64 = SandboxConfiguration.wallClockMs,
        logger: Logger = Logger(label: "polygon-sandbox"), feed: SandboxFeed.Configuration = .init()
    ) {
        self.host = host
        self.port = port
        self.apiKey = apiKey
        self.seed = seed
        self.forbiddenTickers = forbiddenTickers
        self.faults = faults
        self.nowMs = nowMs
        self.logger = logger
        self.feed = feed
    }

    /// The real time, for the executable; tests pass a fixed instant instead.
    @Sendable public static func wallClockMs() -> Int64 {
        return SystemTime.nowMs()
    }
}
