/// Logging metadata keys, defined in one place so every module spells them the same way.
public enum MetadataKey {
    public static let symbol = "backfill.symbol"
    public static let timeframe = "backfill.timeframe"
    public static let range = "backfill.range"
    public static let task = "backfill.task"
    public static let rows = "backfill.rows"
    public static let url = "http.url"
    public static let attempt = "http.attempt"
    public static let delaySeconds = "http.retry_delay_s"
    public static let reason = "error.reason"
    public static let database = "storage.path"
}
