import BackfillCore

/// Counters of what an HTTP client (``RESTClient``, ``S3Client``) did, for progress displays and
/// reports.
public struct RequestStatistics: Sendable, Equatable {
    /// HTTP requests sent, retries included.
    public var requests = 0
    /// Requests repeated after a retryable failure (429, 5xx, reset, cut-off body).
    public var retries = 0
    /// HTTP 429 answers.
    public var rateLimited = 0
    /// Response body bytes received.
    public var bytes = 0
    /// How long each request took, per attempt: from sending it (after any rate-limit wait) to the
    /// last byte of its body, whatever the answer; retry back-off is not included.
    public var latency = LatencyHistogram()

    public init() {}
}
