import BackfillCore

/// Which securities of the synthetic universe appear in the sandbox's day files: the first `count`
/// securities (the well-known names) plus the tickers that trip naive CSV readers, each under the
/// ticker it had that day, rows sorted as Polygon sorts them (bytewise by ticker).
public enum FlatFileUniverse {
    /// Tickers a CSV reader must keep as distinct strings: NaN/NULL/boolean look-alikes and a
    /// case pair that collides on case-insensitive file systems.
    public static let tricky = ["NA", "NAN", "NULL", "TRUE", "TpC", "TPC"]

    /// The (ticker, security) rows of a day file on `date`.
    public static func listings(on date: LocalDate, count: Int, universe: SyntheticUniverse)
        -> [(ticker: String, security: SyntheticSecurity)]
    {
        universe.listings(on: date)
            .filter { $0.security.id < count || tricky.contains($0.ticker) }
            .sorted { $0.ticker.utf8.lexicographicallyPrecedes($1.ticker.utf8) }
    }

    /// The tickers of a day file on `date`, in file order.
    public static func tickers(on date: LocalDate, count: Int, universe: SyntheticUniverse) -> [String] {
        listings(on: date, count: count, universe: universe).map(\.ticker)
    }
}
