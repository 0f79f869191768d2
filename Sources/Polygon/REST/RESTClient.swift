import AsyncHTTPClient
import BackfillCore
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization

/// Polygon's REST API over AsyncHTTPClient: bearer auth, rate limit, retries with backoff and
/// jitter on 429/5xx/connection errors, `Retry-After` honoured, per-request timeouts.
public final class RESTClient: Sendable {
    public struct Configuration: Sendable {
        /// `https://api.polygon.io`, `https://api.massive.com` or a sandbox such as `http://127.0.0.1:8089`.
        public var baseURL: String
        public var apiKey: String
        /// Sustained request rate; nil for none (paid plans, the sandbox).
        public var requestsPerMinute: Double?
        public var retry: RetryPolicy
        /// Seconds one request may take, body included.
        public var requestTimeout: Double
        /// Largest response body accepted, bytes.
        public var maxBodyBytes: Int

        public init(
            baseURL: String = "https://api.polygon.io", apiKey: String, requestsPerMinute: Double? = 5,
            retry: RetryPolicy = RetryPolicy(), requestTimeout: Double = 60, maxBodyBytes: Int = 256 << 20
        ) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.apiKey = apiKey
            self.requestsPerMinute = requestsPerMinute
            self.retry = retry
            self.requestTimeout = requestTimeout
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// Counters of what the client did, for progress displays and reports.
    public typealias Statistics = RequestStatistics

    public let configuration: Configuration
    public let redactor: Redactor
    let http: HTTPClient
    let limiter: RateLimiter
    let logger: Logger
    private let stats = Mutex(Statistics())
    private let jitter = Mutex(SplitMix64(seed: UInt64.random(in: .min ... .max)))

    /// - Parameters:
    ///   - httpClient: the client to send with; the caller owns its lifecycle.
    public init(configuration: Configuration, httpClient: HTTPClient = .shared, logger: Logger) {
        self.configuration = configuration
        self.redactor = Redactor(secrets: [configuration.apiKey])
        self.http = httpClient
        self.limiter = RateLimiter(requestsPerMinute: configuration.requestsPerMinute)
        self.logger = logger
    }

    public var statistics: Statistics { stats.withLock { $0 } }
    public var secondsWaitedForRateLimit: Double { limiter.secondsWaited }
    /// Requests the rate budget allows right now (negative: queued); nil without a limit.
    public var rateBudget: Int? { limiter.available.map { Int($0.rounded(.down)) } }

    /// GETs `pathAndQuery` (which starts with `/`) and decodes the JSON body as `T`, retrying what
    /// can be retried.
    public func get<T: Decodable>(_ type: T.Type, pathAndQuery: String) async throws -> T {
        try await get(pathAndQuery: pathAndQuery) { data, url in
            try ResponseDecoding.decode(T.self, from: data, url: url)
        }
    }

    /// GETs `pathAndQuery` and hands the body to `decode` with the redacted URL; a retryable
    /// ``PolygonError`` from the request or from `decode` (a truncated body) repeats the request.
    public func get<T>(pathAndQuery: String, decode: (Data, String) throws -> T) async throws -> T {
        let url = configuration.baseURL + pathAndQuery
        let shownURL = redactor.redact(url)
        var attempt = 1
        while true {
            do {
                let data = try await fetchOnce(url: url, shownURL: shownURL)
                return try decode(data, shownURL)
            } catch let error as PolygonError {
                guard error.isRetryable, attempt < configuration.retry.maxAttempts else { throw error }
                try await pause(after: error, attempt: attempt)
                attempt += 1
            }
        }
    }

    private func pause(after error: PolygonError, attempt: Int) async throws {
        let retryAfter = (error.underlying as? RetryAfterHint)?.seconds
        let unit = jitter.withLock { $0.nextUnit() }
        let delay = configuration.retry.delay(afterAttempt: attempt, retryAfter: retryAfter, unitRandom: unit)
        stats.withLock { $0.retries += 1 }
        logger.info(
            "retrying request",
            metadata: [
                MetadataKey.attempt: "\(attempt + 1)", MetadataKey.delaySeconds: "\(delay)",
                MetadataKey.reason: "\(error.message)", MetadataKey.url: "\(error.url ?? "")",
            ])
        try await Task.sleep(for: .milliseconds(Int64((delay * 1_000).rounded())))
    }

    private func fetchOnce(url: String, shownURL: String) async throws -> Data {
        try await limiter.acquire()
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(configuration.apiKey)")
        request.headers.add(name: "User-Agent", value: "Backfill/0.1 (swift)")
        request.headers.add(name: "Accept", value: "application/json")
        stats.withLock { $0.requests += 1 }
        logger.debug("GET", metadata: [MetadataKey.url: "\(shownURL)"])
        let (status, headers, body): (Int, HTTPHeaders, ByteBuffer)
        // Timed per attempt, from the send (the rate-limit wait is over) to the body's last byte.
        let sent = ContinuousClock.now
        defer { stats.withLock { $0.latency.record(ContinuousClock.now - sent) } }
        do {
            let response = try await http.execute(
                request, timeout: .milliseconds(Int64(configuration.requestTimeout * 1_000)))
            body = try await response.body.collect(upTo: configuration.maxBodyBytes)
            (status, headers) = (Int(response.status.code), response.headers)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            try Task.checkCancellation()
            throw PolygonError(
                .transport, "request failed: \(redactor.redact(String(describing: error)))", url: shownURL,
                isRetryable: true, underlying: error)
        }
        stats.withLock { $0.bytes += body.readableBytes }
        let data = Data(buffer: body)
        if status == 200 { return data }
        throw HTTPFailure.error(
            status: status, headers: headers, body: data, url: shownURL, redactor: redactor,
            onRateLimit: {
                stats.withLock { $0.rateLimited += 1 }
            })
    }
}

/// The server's `Retry-After`, carried as the underlying error of a 429/503.
struct RetryAfterHint: Error {
    var seconds: Double
}
