import BackfillCore

/// The sandbox's deterministic list of securities: well-known tickers (with the real FB → META
/// rename), tricky symbols flat files are known for (`NA`, `NAN`, `NULL`, `TRUE`, `TpC` and `TPC`),
/// and generated ones, some delisted, some renamed, some split, many paying dividends.
public struct SyntheticUniverse: Sendable {
    public let securities: [SyntheticSecurity]
    private let byTicker: [String: [Int]]

    public static let wellKnown: [(String, String, String)] = [
        ("AAPL", "Apple Inc.", "XNAS"), ("MSFT", "Microsoft Corp", "XNAS"), ("AMD", "Advanced Micro Devices", "XNAS"),
        ("NVDA", "NVIDIA Corp", "XNAS"), ("TSLA", "Tesla, Inc.", "XNAS"), ("GOOGL", "Alphabet Inc. Class A", "XNAS"),
        ("AMZN", "Amazon.com, Inc.", "XNAS"), ("NFLX", "Netflix, Inc.", "XNAS"), ("INTC", "Intel Corp", "XNAS"),
        ("JPM", "JPMorgan Chase & Co.", "XNYS"), ("XOM", "Exxon Mobil Corp", "XNYS"), ("KO", "Coca-Cola Co", "XNYS"),
        ("BRK.B", "Berkshire Hathaway Class B", "XNYS"), ("GE", "GE Aerospace", "XNYS"), ("F", "Ford Motor Co", "XNYS"),
        ("SPY", "SPDR S&P 500 ETF Trust", "ARCX"), ("QQQ", "Invesco QQQ Trust", "XNAS"),
        ("NA", "Nano Labs Ltd", "XNAS"), ("NAN", "Nuveen New York Quality Municipal Fund", "XNYS"),
        ("NULL", "Null Industries (synthetic)", "XNAS"), ("TRUE", "TrueCar, Inc.", "XNAS"),
        ("TpC", "Tutor Perini Corp Preferred (synthetic)", "XNYS"), ("TPC", "Tutor Perini Corp", "XNYS"),
    ]

    /// - Parameters:
    ///   - seed: same seed, same world.
    ///   - count: securities in all (at least the well-known ones plus META).
    public init(seed: UInt64 = 42, count: Int = 300, calendar: TradingCalendar = TradingCalendar()) {
        var rng = SplitMix64(seed: seed ^ 0x5EC0_71E5)
        var builder = UniverseBuilder(calendar: calendar)
        for (ticker, name, exchange) in Self.wellKnown {
            builder.add(ticker: ticker, name: name, exchange: exchange, rng: &rng, plain: true)
        }
        builder.addMeta(rng: &rng)
        while builder.securities.count < max(count, builder.securities.count) {
            builder.addGenerated(rng: &rng)
        }
        securities = builder.securities
        var index: [String: [Int]] = [:]
        for security in securities {
            for name in security.names { index[name.ticker, default: []].append(security.id) }
        }
        byTicker = index
    }

    /// The security trading as `ticker` on `date`.
    public func security(ticker: String, on date: LocalDate) -> SyntheticSecurity? {
        byTicker[ticker]?.lazy.map { securities[$0] }.first { $0.ticker(on: date) == ticker }
    }

    /// The security that holds `ticker` now, or held it last.
    public func latestSecurity(ticker: String) -> SyntheticSecurity? {
        byTicker[ticker]?.map { securities[$0] }.max {
            ($0.names.last?.first ?? $0.listDate) < ($1.names.last?.first ?? $1.listDate)
        }
    }

    /// Every security that ever used `ticker`.
    public func securities(everNamed ticker: String) -> [SyntheticSecurity] {
        byTicker[ticker]?.map { securities[$0] } ?? []
    }

    /// (ticker, security) for every security trading on `date`, sorted by ticker.
    public func listings(on date: LocalDate) -> [(ticker: String, security: SyntheticSecurity)] {
        securities.compactMap { security in security.ticker(on: date).map { ($0, security) } }
            .sorted { $0.ticker < $1.ticker }
    }
}
