import BackfillCore
import Storage

extension LiveIngestor {
    /// How live ingestion runs; every value has a default.
    public struct Configuration: Sendable {
        /// The indicator set; a saved state with another configuration is not restored (the engine
        /// starts fresh, as the backfill's enricher does).
        public var indicators: IndicatorEngine.Configuration
        /// How far back a re-sent minute still moves the indicators, ms (Polygon re-sends for up to 15 minutes).
        public var revisionHorizonMs: Int64
        /// How often changed indicator states are saved, seconds (and always at stop).
        public var stateSaveIntervalSeconds: Double
        /// REST requests in flight while filling a gap.
        public var refillConcurrency: Int
        /// Whether a symbol's first live bar is preceded by the session's earlier minutes from REST
        /// (from the pre-market open, or its last stored bar when later): no hole between a
        /// backfill that ended yesterday and a feed joined mid-session. One request per symbol;
        /// off for `AM.*` in the command.
        public var catchUpSession: Bool
        /// Most bars in one transaction: a bigger burst is written in parts, so its first bars are
        /// published before its last are processed.
        public var maxBarsPerTransaction: Int
        /// Feed events held while the store is busy; beyond it the oldest are dropped (and logged).
        public var maxPendingEvents: Int
        /// Called after each bar is published, on the ingesting task (benchmarks and monitors).
        public var onPublished: (@Sendable (LivePublication) -> Void)?
        /// Called once per (symbol, session, source) the ingestor stores bars for: the live
        /// sources for the completeness ledger (`live` for feed bars, `rest` for gap refills).
        public var onSession: (@Sendable (LiveSessionRecord) -> Void)?

        public init(
            indicators: IndicatorEngine.Configuration = .init(), revisionHorizonMs: Int64 = 15 * 60_000,
            stateSaveIntervalSeconds: Double = 60, refillConcurrency: Int = 4, catchUpSession: Bool = true,
            maxBarsPerTransaction: Int = 2_500, maxPendingEvents: Int = 1_000_000,
            onPublished: (@Sendable (LivePublication) -> Void)? = nil,
            onSession: (@Sendable (LiveSessionRecord) -> Void)? = nil
        ) {
            self.indicators = indicators
            self.revisionHorizonMs = revisionHorizonMs
            self.stateSaveIntervalSeconds = stateSaveIntervalSeconds
            self.refillConcurrency = max(1, refillConcurrency)
            self.catchUpSession = catchUpSession
            self.maxBarsPerTransaction = max(1, maxBarsPerTransaction)
            self.maxPendingEvents = maxPendingEvents
            self.onPublished = onPublished
            self.onSession = onSession
        }
    }
}

/// One published bar, for ``LiveIngestor/Configuration/onPublished``.
public struct LivePublication: Sendable {
    public var message: LiveBarMessage
    /// When the ingestor took the bar from the feed (or the refill fetched it).
    public var receivedAt: ContinuousClock.Instant
    /// When it was published, after its transaction committed.
    public var publishedAt: ContinuousClock.Instant
}
