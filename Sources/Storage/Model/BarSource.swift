/// Where stored bars came from; kept per symbol and session in the completeness ledger.
public enum BarSource: String, Sendable, Codable, CaseIterable {
    /// REST aggregates for one ticker and range.
    case rest
    /// REST grouped daily (every ticker of one session).
    case groupedDaily = "grouped-daily"
    /// A flat file (one day of the whole market) over S3 or from a local directory.
    case flatFile = "flat-file"
    /// The WebSocket feed.
    case live
}
