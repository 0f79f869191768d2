/// Where and how to reach Polygon's flat files (or any S3-compatible endpoint), path-style.
public struct S3Configuration: Sendable {
    public static let defaultEndpoint = "https://files.polygon.io"
    public static let defaultBucket = "flatfiles"

    /// `https://files.polygon.io`, `https://files.massive.com`, or a sandbox such as `http://127.0.0.1:8089`.
    public var endpoint: String
    public var bucket: String
    /// The S3 access key from the dashboard (not the REST API key).
    public var accessKey: String
    public var secretKey: String
    /// The region in the signature's scope.
    public var region: String
    /// Seconds one request may take, body included (a day's minute file is ~30 MB).
    public var requestTimeout: Double
    /// Attempts per object or listing page; resumed downloads count as attempts.
    public var maxAttempts: Int
    /// Delay before the first retry, seconds; doubled per attempt (with jitter), capped at 30 s.
    public var retryDelay: Double

    public init(
        endpoint: String = S3Configuration.defaultEndpoint, bucket: String = S3Configuration.defaultBucket,
        accessKey: String, secretKey: String, region: String = "us-east-1", requestTimeout: Double = 600,
        maxAttempts: Int = 5, retryDelay: Double = 0.5
    ) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.bucket = bucket
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.region = region
        self.requestTimeout = requestTimeout
        self.maxAttempts = max(1, maxAttempts)
        self.retryDelay = max(0, retryDelay)
    }

    /// Reads `POLYGON_S3_ACCESS_KEY`, `POLYGON_S3_SECRET_KEY`, `POLYGON_S3_ENDPOINT` (default
    /// `https://files.polygon.io`) and `POLYGON_S3_BUCKET` (default `flatfiles`).
    /// - Throws: `PolygonError.missingAPIKey` naming the missing variable.
    public static func fromEnvironment(_ environment: [String: String]) throws -> S3Configuration {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard let access = value("POLYGON_S3_ACCESS_KEY"), let secret = value("POLYGON_S3_SECRET_KEY") else {
            throw PolygonError(
                .missingAPIKey,
                "flat files need POLYGON_S3_ACCESS_KEY and POLYGON_S3_SECRET_KEY (the S3 keys from the dashboard, "
                    + "not the REST API key)", isRetryable: false)
        }
        return S3Configuration(
            endpoint: value("POLYGON_S3_ENDPOINT") ?? defaultEndpoint,
            bucket: value("POLYGON_S3_BUCKET") ?? defaultBucket,
            accessKey: access, secretKey: secret)
    }
}
