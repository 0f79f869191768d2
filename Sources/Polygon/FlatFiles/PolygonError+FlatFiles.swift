extension PolygonError.Code {
    /// A flat file cannot be read: a truncated or corrupt gzip stream, an unexpected header, a line
    /// too long to be a CSV row. The file as a whole is unusable; download it again.
    public static let corruptFile = PolygonError.Code("corrupt-file")
    /// A local file could not be opened, read or written.
    public static let fileSystem = PolygonError.Code("file-system")
    /// A downloaded object does not match what the listing announced (size or ETag).
    public static let integrity = PolygonError.Code("integrity")
}

extension PolygonError {
    /// An error about one flat file, named by its path or S3 key so the message says which.
    static func flatFile(
        _ code: Code, _ file: String, _ message: String, retryable: Bool = false, underlying: (any Error)? = nil,
        sourceFile: String = #fileID, sourceLine: Int = #line
    ) -> PolygonError {
        PolygonError(
            code, "flat file \(file): \(message)", isRetryable: retryable, underlying: underlying, file: sourceFile,
            line: sourceLine)
    }
}
