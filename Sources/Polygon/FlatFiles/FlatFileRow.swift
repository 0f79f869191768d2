import BackfillCore

/// One row of a `minute_aggs_v1` or `day_aggs_v1` flat file, typed.
///
/// The ticker stays exactly as written (`NA`, `NULL`, `TpC` and `TPC` are distinct tickers); the bar's
/// `windowStartMs` is the file's nanosecond `window_start` divided by 1,000,000 in integer arithmetic,
/// and its `transactions` is the file's `transactions` column. Flat files carry no VWAP.
public struct FlatFileRow: Sendable, Equatable {
    /// The ticker as written in the file, case preserved.
    public var ticker: String
    /// The raw (unadjusted) aggregate; `volume` may be fractional (2026 six-decimal format).
    public var bar: Bar
    /// 1-based line number in the decompressed file (the header is line 1); 0 when unknown.
    public var line: Int

    public init(ticker: String, bar: Bar, line: Int = 0) {
        self.ticker = ticker
        self.bar = bar
        self.line = line
    }
}

/// A row that could not be decoded, kept aside with where it came from; the rest of the file goes on.
public struct FlatFileQuarantinedRow: Sendable, Equatable, CustomStringConvertible {
    /// The file path or S3 key the row came from.
    public var file: String
    /// 1-based line number in the decompressed file (the header is line 1).
    public var line: Int
    /// What is wrong with the row, for a person.
    public var reason: String
    /// The row's text, cut to at most 200 bytes.
    public var text: String

    public init(file: String, line: Int, reason: String, text: String) {
        self.file = file
        self.line = line
        self.reason = reason
        self.text = text
    }

    public var description: String { "\(file):\(line): \(reason): \(text)" }
}

/// What decoding one file produced besides its rows.
public struct FlatFileSummary: Sendable, Equatable {
    /// The file path or S3 key.
    public var file: String
    /// Rows decoded and handed over.
    public var rows: Int
    /// Lines read, the header included.
    public var lines: Int
    /// Bytes after decompression.
    public var decompressedBytes: Int
    /// The first quarantined rows (at most `FlatFileDecoder.Configuration.maxQuarantineDetails`).
    public var quarantined: [FlatFileQuarantinedRow]
    /// How many rows were quarantined in all, which may exceed `quarantined.count`.
    public var quarantinedCount: Int

    public init(file: String) {
        self.file = file
        self.rows = 0
        self.lines = 0
        self.decompressedBytes = 0
        self.quarantined = []
        self.quarantinedCount = 0
    }
}
