import BackfillCore

/// The sandbox's S3-compatible flat-file surface: credentials, bucket and the synthetic universe.
///
/// The defaults are documented so anyone can point an S3 tool at a sandbox:
/// access key `sandbox-access-key`, secret key `sandbox-secret-key`, bucket `flatfiles`, path-style,
/// any region (the signature is checked with the region the client signs for).
public struct S3Settings: Sendable {
    public static let defaultAccessKey = "sandbox-access-key"
    public static let defaultSecretKey = "sandbox-secret-key"
    public static let defaultBucket = "flatfiles"

    public var accessKey: String
    public var secretKey: String
    public var bucket: String
    /// Tickers in every day file (the tricky ones `NA`, `NAN`, `NULL`, `TRUE`, `TpC`, `TPC` always among them).
    public var tickerCount: Int
    /// The first session with files; listing starts here.
    public var firstDate: LocalDate
    /// zlib level for generated files (1 fast … 9 small).
    public var gzipLevel: Int32
    /// Generated files kept in memory.
    public var cachedFiles: Int

    public init(
        accessKey: String = S3Settings.defaultAccessKey, secretKey: String = S3Settings.defaultSecretKey,
        bucket: String = S3Settings.defaultBucket, tickerCount: Int = 300,
        firstDate: LocalDate = LocalDate(year: 2003, month: 9, day: 10)!, gzipLevel: Int32 = 1, cachedFiles: Int = 32
    ) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.bucket = bucket
        self.tickerCount = max(8, tickerCount)
        self.firstDate = firstDate
        self.gzipLevel = gzipLevel
        self.cachedFiles = max(1, cachedFiles)
    }
}
