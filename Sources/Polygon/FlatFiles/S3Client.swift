import AsyncHTTPClient
import BackfillCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Polygon's flat files over S3 (or any S3-compatible endpoint): ListObjectsV2 by prefix with
/// pagination, and GetObject streamed to disk with `Range` resume and size/ETag checks, all signed
/// with SigV4 and retried with backoff on 429/5xx/resets. Secrets never reach logs or errors.
public final class S3Client: Sendable {
    public let configuration: S3Configuration
    let http: HTTPClient
    let signer: SigV4Signer
    let redactor: Redactor
    let logger: Logger
    let nowMs: @Sendable () -> Int64
    let retry: RetryPolicy
    private let jitter = Mutex(SplitMix64(seed: UInt64.random(in: .min ... .max)))
    private let stats = Mutex(RequestStatistics())

    /// - Parameters:
    ///   - httpClient: the client to send with; the caller owns its lifecycle.
    ///   - nowMs: the clock used for signatures, ms UTC.
    public init(
        configuration: S3Configuration, httpClient: HTTPClient = .shared, logger: Logger,
        nowMs: @escaping @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1_000).rounded(.down)) }
    ) {
        self.configuration = configuration
        self.http = httpClient
        self.signer = SigV4Signer(
            accessKey: configuration.accessKey, secretKey: configuration.secretKey, region: configuration.region)
        self.redactor = Redactor(secrets: [configuration.secretKey])
        self.logger = logger
        self.nowMs = nowMs
        self.retry = RetryPolicy(
            maxAttempts: configuration.maxAttempts, baseDelay: configuration.retryDelay,
            maxDelay: max(configuration.retryDelay, 30))
    }

    /// What the client did so far: requests, retries, 429s, body bytes and per-request latency.
    public var statistics: RequestStatistics { stats.withLock { $0 } }

    /// One ListObjectsV2 page.
    /// - Returns: the objects and the token for the next page (nil on the last one).
    public func listPage(prefix: String, continuationToken: String? = nil, maxKeys: Int = 1_000) async throws -> (
        objects: [S3ObjectInfo], nextToken: String?
    ) {
        var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys))]
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let what = "listing s3://\(configuration.bucket)/\(prefix)"
        return try await withRetries(what) {
            let body = try await self.timed {
                let response = try await self.send(
                    "GET", path: "/\(self.configuration.bucket)", query: query, what: what)
                return try await self.collect(response, what: what)
            }
            guard let page = S3ListParser.parse(body) else {
                throw PolygonError(
                    .malformedBody, "\(what): the answer is not a ListBucketResult: \(body.prefix(200))",
                    isRetryable: false)
            }
            let next = page.isTruncated ? page.nextContinuationToken : nil
            if page.isTruncated && next == nil {
                throw PolygonError(
                    .malformedBody, "\(what): truncated listing without a continuation token", isRetryable: false)
            }
            return (page.objects, next)
        }
    }

    /// Every object under `prefix` (`us_stocks_sip/minute_aggs_v1/2024/03/`), following all pages.
    public func list(prefix: String, pageSize: Int = 1_000) async throws -> [S3ObjectInfo] {
        var all: [S3ObjectInfo] = []
        var token: String?
        repeat {
            let page = try await listPage(prefix: prefix, continuationToken: token, maxKeys: pageSize)
            all += page.objects
            token = page.nextToken
        } while token != nil
        return all
    }

    // MARK: - Requests

    /// Runs `body` up to `maxAttempts` times while it fails with a retryable `PolygonError`.
    func withRetries<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as PolygonError where error.isRetryable && attempt < retry.maxAttempts {
                let unit = jitter.withLock { $0.nextUnit() }
                let delay = retry.delay(afterAttempt: attempt, retryAfter: nil, unitRandom: unit)
                stats.withLock { $0.retries += 1 }
                logger.info(
                    "retrying S3 request",
                    metadata: [MetadataKey.attempt: "\(attempt + 1)", MetadataKey.reason: "\(error.message)"])
                try await Task.sleep(for: .milliseconds(Int64((delay * 1_000).rounded())))
                attempt += 1
            }
        }
    }

    /// Runs one request, sent and its body read, recording how long it took whatever the outcome.
    func timed<T>(_ body: () async throws -> T) async throws -> T {
        let sent = ContinuousClock.now
        defer { stats.withLock { $0.latency.record(ContinuousClock.now - sent) } }
        return try await body()
    }

    /// Counts body bytes received.
    func received(bytes: Int) {
        stats.withLock { $0.bytes += bytes }
    }

    /// Sends one signed request; non-2xx answers become `PolygonError`s naming `what`.
    func send(
        _ method: String, path: String, query: [(String, String)] = [], headers extra: [(String, String)] = [],
        what: String
    ) async throws -> HTTPClientResponse {
        guard let schemeEnd = configuration.endpoint.firstRange(of: "://") else {
            throw PolygonError(
                .invalidRequest, "POLYGON_S3_ENDPOINT must start with http:// or https://", isRetryable: false)
        }
        let host = String(configuration.endpoint[schemeEnd.upperBound...].prefix { $0 != "/" })
        let queryText = SigV4Signer.canonicalQuery(query)
        var request = HTTPClientRequest(url: configuration.endpoint + path + (queryText.isEmpty ? "" : "?" + queryText))
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Host", value: host)
        request.headers.add(name: "User-Agent", value: "Backfill/0.1 (swift)")
        let signed = signer.sign(method: method, host: host, path: path, query: query, headers: extra, nowMs: nowMs())
        for (name, value) in signed { request.headers.add(name: name, value: value) }
        stats.withLock { $0.requests += 1 }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(
                request, timeout: .milliseconds(Int64(configuration.requestTimeout * 1_000)))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            try Task.checkCancellation()
            throw PolygonError(
                .transport, "\(what): request failed: \(redactor.redact(String(describing: error)))",
                url: redactor.redact(configuration.endpoint + path), isRetryable: true, underlying: error)
        }
        if (200..<300).contains(Int(response.status.code)) { return response }
        if response.status.code == 429 { stats.withLock { $0.rateLimited += 1 } }
        let body = (try? await response.body.collect(upTo: 1 << 16)).map { String(buffer: $0) } ?? ""
        throw failure(status: Int(response.status.code), body: body, what: what, url: configuration.endpoint + path)
    }

    func collect(_ response: HTTPClientResponse, what: String) async throws -> String {
        do {
            let body = try await response.body.collect(upTo: 64 << 20)
            received(bytes: body.readableBytes)
            return String(buffer: body)
        } catch {
            throw PolygonError(
                .transport, "\(what): the answer was cut off: \(redactor.redact(String(describing: error)))",
                isRetryable: true, underlying: error)
        }
    }

    /// A non-2xx S3 answer as a `PolygonError` that says what to do.
    func failure(status: Int, body: String, what: String, url: String) -> PolygonError {
        let parsed = S3ListParser.error(body)
        let server = parsed.map { "\($0.code): \(redactor.redact($0.message))" } ?? ResponseText.preview(body)
        let shown = redactor.redact(url)
        switch status {
        case 401, 403:
            let hint =
                parsed?.code == "SignatureDoesNotMatch"
                ? "POLYGON_S3_SECRET_KEY is wrong"
                : "check POLYGON_S3_ACCESS_KEY / POLYGON_S3_SECRET_KEY and that your plan includes this data"
            return PolygonError(
                .forbidden, "\(what): access denied (\(server)); \(hint)", url: shown, httpStatus: status,
                isRetryable: false)
        case 429, 500...599:
            return PolygonError(
                status == 429 ? .rateLimited : .server, "\(what): server busy or failing (\(server))", url: shown,
                httpStatus: status, isRetryable: true)
        case 412, 416:
            return PolygonError(
                .integrity, "\(what): the object changed on the server since the download began", url: shown,
                httpStatus: status, isRetryable: true)
        default:
            return PolygonError(
                .badRequest, "\(what): request rejected (\(server))", url: shown, httpStatus: status, isRetryable: false
            )
        }
    }
}

/// A short, printable excerpt of a body that is not the XML expected.
enum ResponseText {
    static func preview(_ body: String) -> String {
        let flat = body.prefix(160).map { $0.isNewline ? " " : $0 }
        return flat.isEmpty ? "empty body" : "'\(String(flat))'"
    }
}
