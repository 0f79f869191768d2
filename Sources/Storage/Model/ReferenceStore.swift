import BackfillCore

/// Reference data beside the bars: security identity with point-in-time ticker names, splits,
/// dividends and news, plus how far each backfill phase has synced (so a repeat asks for little).
/// Every write is idempotent; a phase's data and its sync mark are stored in one transaction.
public protocol ReferenceStore: Sendable {
    /// Stores a security's identity and names, merging into it every unidentified security that
    /// held one of the names during the name's interval (FB's bars become META's), all in one
    /// transaction with `mark`.
    func saveSecurity(_ identity: SecurityIdentity, marking mark: SyncMark?) async throws -> IdentityOutcome

    /// Stores many identities (a whole ticker list) the same way in one transaction, then `mark`.
    func saveSecurities(_ identities: [SecurityIdentity], marking mark: SyncMark?) async throws -> [IdentityOutcome]

    /// The security a ticker names now (or named last), with its identity and names.
    func security(ticker: String) async throws -> StoredSecurity?

    /// Stores splits and dividends (upserts keyed by Polygon's id, else ticker and date), with `mark`.
    /// - Returns: rows new or changed.
    func saveActions(splits: [SplitRow], dividends: [DividendRow], marking mark: SyncMark?) async throws -> Int

    /// The splits and dividends of the security a ticker names, oldest first.
    func corporateActions(symbol: String) async throws -> (splits: [Split], dividends: [CashDividend])

    /// Stores articles once each (by id) with their tickers, and `mark`.
    /// - Returns: articles that were new.
    func saveNews(_ articles: [NewsRow], marking mark: SyncMark?) async throws -> Int

    /// News about the security a ticker names (under any of its names), newest first.
    func news(symbol: String, fromMs: Int64, toMs: Int64, limit: Int) async throws -> [NewsRow]

    /// How far `phase` has synced `scope` (a ticker, or `*` for the market).
    func syncState(phase: String, scope: String) async throws -> SyncMark?

    /// Records how far a phase has synced a scope when it stored nothing (Polygon knows nothing of it).
    func saveSyncState(_ mark: SyncMark) async throws

    /// Bars of the security a ticker names, adjusted on read (stored bars stay raw).
    func bars(
        symbol: String, timeframe: Timeframe, fromMs: Int64, toMs: Int64, limit: Int, adjustment: BarAdjustment
    ) async throws -> [Bar]
}

/// Which corporate actions an adjusted read applies.
public enum BarAdjustment: String, Sendable, CaseIterable {
    /// Raw prints, as stored.
    case none
    /// Splits: prices and volumes on today's share basis.
    case splits
    /// Splits and cash dividends: total-return style prices.
    case all
}

/// A ticker a security used, over New York dates (nil: unknown start, or still in use).
public struct TickerName: Sendable, Equatable, Codable {
    public var ticker: String
    public var first: LocalDate?
    public var last: LocalDate?

    public init(ticker: String, first: LocalDate?, last: LocalDate?) {
        self.ticker = ticker
        self.first = first
        self.last = last
    }
}

/// What Polygon says a security is: identity, status and the names it traded under (oldest first).
public struct SecurityIdentity: Sendable, Equatable {
    public var compositeFIGI: String?
    public var shareClassFIGI: String?
    public var cik: String?
    public var name: String?
    public var type: String?
    public var primaryExchange: String?
    public var active: Bool
    public var listDate: LocalDate?
    /// Last New York date it traded, when delisted.
    public var delistDate: LocalDate?
    /// Oldest first; the last one is the current (or final) ticker.
    public var names: [TickerName]

    public init(
        compositeFIGI: String?, shareClassFIGI: String? = nil, cik: String? = nil, name: String? = nil,
        type: String? = nil, primaryExchange: String? = nil, active: Bool, listDate: LocalDate? = nil,
        delistDate: LocalDate? = nil, names: [TickerName]
    ) {
        self.compositeFIGI = compositeFIGI
        self.shareClassFIGI = shareClassFIGI
        self.cik = cik
        self.name = name
        self.type = type
        self.primaryExchange = primaryExchange
        self.active = active
        self.listDate = listDate
        self.delistDate = delistDate
        self.names = names
    }
}

/// A stored security: its id, current ticker and identity.
public struct StoredSecurity: Sendable, Equatable {
    public var id: Int64
    public var ticker: String
    public var identity: SecurityIdentity

    public init(id: Int64, ticker: String, identity: SecurityIdentity) {
        self.id = id
        self.ticker = ticker
        self.identity = identity
    }
}

/// What ``ReferenceStore/saveSecurity(_:marking:)`` did.
public struct IdentityOutcome: Sendable, Equatable {
    public var securityID: Int64
    /// Other securities (former names stored separately) merged into this one.
    public var merged: Int
    /// Bar rows moved from them (rows already present under the survivor are kept once).
    public var movedBars: Int
    /// Whether anything in the store changed.
    public var changed: Bool

    public init(securityID: Int64, merged: Int, movedBars: Int, changed: Bool) {
        self.securityID = securityID
        self.merged = merged
        self.movedBars = movedBars
        self.changed = changed
    }
}

/// A split as stored: who reported it and its ratio.
public struct SplitRow: Sendable, Equatable {
    /// Polygon's id when it sends one; else the ticker and date make the key.
    public var id: String?
    public var ticker: String
    public var split: Split
    public var adjustmentType: String?
    public var historicalFactor: Double?

    public init(
        id: String?, ticker: String, split: Split, adjustmentType: String? = nil, historicalFactor: Double? = nil
    ) {
        self.id = id
        self.ticker = ticker
        self.split = split
        self.adjustmentType = adjustmentType
        self.historicalFactor = historicalFactor
    }

    /// What the row is stored under: Polygon's id, else the ticker and date.
    public var key: String { id ?? "\(ticker) \(split.executionDate)" }
}

/// A cash dividend as stored.
public struct DividendRow: Sendable, Equatable {
    public var id: String?
    public var ticker: String
    public var dividend: CashDividend
    public var currency: String?
    public var declarationDate: String?
    public var recordDate: String?
    public var payDate: String?
    public var frequency: Int?
    public var distributionType: String?
    public var historicalFactor: Double?

    public init(
        id: String?, ticker: String, dividend: CashDividend, currency: String? = nil, declarationDate: String? = nil,
        recordDate: String? = nil, payDate: String? = nil, frequency: Int? = nil, distributionType: String? = nil,
        historicalFactor: Double? = nil
    ) {
        self.id = id
        self.ticker = ticker
        self.dividend = dividend
        self.currency = currency
        self.declarationDate = declarationDate
        self.recordDate = recordDate
        self.payDate = payDate
        self.frequency = frequency
        self.distributionType = distributionType
        self.historicalFactor = historicalFactor
    }

    /// What the row is stored under: Polygon's id, else the ticker, ex-date and amount.
    public var key: String { id ?? "\(ticker) \(dividend.exDividendDate) \(dividend.cashAmount)" }
}

/// A news article with the tickers it is about.
public struct NewsRow: Sendable, Equatable {
    public struct Mention: Sendable, Equatable {
        public var ticker: String
        public var sentiment: String?

        public init(ticker: String, sentiment: String? = nil) {
            self.ticker = ticker
            self.sentiment = sentiment
        }
    }

    public var id: String
    /// Publication instant, ms UTC.
    public var publishedMs: Int64
    public var publisher: String
    public var title: String
    public var author: String?
    public var articleURL: String
    public var description: String?
    public var imageURL: String?
    public var keywords: [String]
    public var mentions: [Mention]

    public init(
        id: String, publishedMs: Int64, publisher: String, title: String, author: String? = nil, articleURL: String,
        description: String? = nil, imageURL: String? = nil, keywords: [String] = [], mentions: [Mention]
    ) {
        self.id = id
        self.publishedMs = publishedMs
        self.publisher = publisher
        self.title = title
        self.author = author
        self.articleURL = articleURL
        self.description = description
        self.imageURL = imageURL
        self.keywords = keywords
        self.mentions = mentions
    }
}

/// How far a phase has synced a scope: the New York dates `first…last` are done (reference and
/// actions keep only `last`, the date their data was current as of).
public struct SyncMark: Sendable, Equatable {
    public var phase: String
    /// A ticker, or `*` for the whole market.
    public var scope: String
    public var first: LocalDate?
    public var last: LocalDate

    public init(phase: String, scope: String, first: LocalDate? = nil, last: LocalDate) {
        self.phase = phase
        self.scope = scope
        self.first = first
        self.last = last
    }
}
