/// A ticker as Polygon's reference endpoints describe it, at a point in time.
///
/// A ticker is a name a security holds for a while (FB became META; names get reused), so the
/// stable identity is the composite FIGI (or CIK) when present, not the symbol.
public struct Ticker: Sendable, Equatable, Codable {
    /// Case-sensitive symbol (`AAPL`, `BRK.B`, `TpC`).
    public var symbol: String
    public var name: String?
    /// `stocks`, `otc`, `indices`, …
    public var market: String?
    /// Polygon type code: `CS`, `ETF`, `ADRC`, `WARRANT`, …
    public var type: String?
    /// Primary exchange MIC, e.g. `XNAS`.
    public var primaryExchange: String?
    public var active: Bool
    public var compositeFIGI: String?
    public var cik: String?
    /// First trading date, when known.
    public var listDate: LocalDate?
    /// When the ticker stopped trading, when it has (ms UTC).
    public var delistedMs: Int64?

    public init(
        symbol: String, name: String? = nil, market: String? = nil, type: String? = nil,
        primaryExchange: String? = nil, active: Bool = true, compositeFIGI: String? = nil, cik: String? = nil,
        listDate: LocalDate? = nil, delistedMs: Int64? = nil
    ) {
        self.symbol = symbol
        self.name = name
        self.market = market
        self.type = type
        self.primaryExchange = primaryExchange
        self.active = active
        self.compositeFIGI = compositeFIGI
        self.cik = cik
        self.listDate = listDate
        self.delistedMs = delistedMs
    }
}
