import BackfillCore

/// Finds stored tickers by symbol or company name, for a symbol search box.
public protocol TickerDirectory: Sendable {
    /// Ticker names whose symbol starts with `text` or whose security's name contains it
    /// (case-insensitive), exact symbol matches first, then by symbol; at most `limit`.
    /// Every name a security has had is listed, so FB finds the security now called META.
    func searchTickers(_ text: String, limit: Int) async throws -> [TickerMatch]
}

/// `text` with LIKE's wildcards (`%`, `_`) and the escape character itself escaped by `\`, for a
/// pattern bound as a value with `ESCAPE '\'` (input matches literally; no SQL is built from it).
public func likeEscaped(_ text: String) -> String {
    var out = ""
    for character in text {
        if character == "%" || character == "_" || character == "\\" { out.append("\\") }
        out.append(character)
    }
    return out
}

/// One ticker name a security traded under, with what became of it.
public struct TickerMatch: Sendable, Equatable, Codable {
    /// The name searched for.
    public var ticker: String
    /// The security's current (or final) ticker; differs from `ticker` for a former name.
    public var currentTicker: String
    /// The company name, when reference data gave one.
    public var name: String?
    /// `CS`, `ETF`…, when known.
    public var type: String?
    public var primaryExchange: String?
    /// Whether the security still trades.
    public var active: Bool
    /// First and last New York date the ticker named this security, when known (`YYYY-MM-DD`).
    public var firstDay: String?
    public var lastDay: String?
    /// Last New York date the security traded, when delisted.
    public var delistedOn: String?

    /// Whether this is a former name of a security that trades on under another ticker.
    public var renamed: Bool { ticker != currentTicker }

    public init(
        ticker: String, currentTicker: String, name: String?, type: String?, primaryExchange: String?, active: Bool,
        firstDay: String?, lastDay: String?, delistedOn: String?
    ) {
        self.ticker = ticker
        self.currentTicker = currentTicker
        self.name = name
        self.type = type
        self.primaryExchange = primaryExchange
        self.active = active
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.delistedOn = delistedOn
    }
}
