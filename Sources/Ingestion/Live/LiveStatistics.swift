import BackfillCore
import Storage

/// What a ``LiveIngestor`` has done so far; read at any time with ``LiveIngestor/statistics``.
public struct LiveStatistics: Sendable, Equatable {
    /// `AM` minute bars taken from the feed.
    public var received = 0
    /// Bars handed to the store (live and refilled).
    public var stored = 0
    /// Stored bars that were new or changed a row (a re-sent minute with late trades counts here).
    public var changed = 0
    /// Stored bars identical to the row already there.
    public var unchanged = 0
    /// Bars published on the bus.
    public var published = 0
    /// Bars that failed validation: logged with the reason, kept in ``recentQuarantine``, not stored.
    public var quarantined = 0
    /// Minutes re-sent or filled behind the newest, within the revision horizon (indicators recomputed).
    public var revised = 0
    /// Minutes older than the revision horizon: stored, indicators unchanged.
    public var late = 0
    /// Store transactions (each holds every bar that arrived together).
    public var transactions = 0
    /// Connections the feed made (1 on a good day; each reconnect adds one).
    public var connections = 0
    /// Gaps reported by the feed after a reconnect.
    public var gaps = 0
    /// Bars fetched from REST and stored: gap refills and the session catch-up before a first live bar.
    public var refilled = 0
    /// REST requests for a gap that failed after their retries (ticker and range in the log).
    public var refillFailures = 0
    /// Indicator states saved.
    public var statesSaved = 0
    /// The newest bar start seen, ms UTC.
    public var lastBarMs: Int64?
    /// The last quarantined bars (at most ``quarantineKept``), newest last.
    public var recentQuarantine: [LiveQuarantine] = []

    /// How many quarantined bars ``recentQuarantine`` keeps.
    public static let quarantineKept = 100

    /// Reconnects: connections after the first.
    public var reconnects: Int { max(0, connections - 1) }

    public init() {}
}

/// A live bar refused by the validator.
public struct LiveQuarantine: Sendable, Equatable {
    public var symbol: String
    public var bar: QuarantinedBar

    public init(symbol: String, bar: QuarantinedBar) {
        self.symbol = symbol
        self.bar = bar
    }
}

/// Where a live bar came from, for the completeness ledger: the ingestor reports each
/// (symbol, session) it stored live bars for once, through ``LiveIngestor/Configuration/onSession``.
public struct LiveSessionRecord: Sendable, Equatable, Hashable {
    public var symbol: String
    /// The New York date of the session.
    public var session: LocalDate
    public var source: BarSource

    public init(symbol: String, session: LocalDate, source: BarSource) {
        self.symbol = symbol
        self.session = session
        self.source = source
    }
}
