/// A cash dividend as Polygon reports it (`/v3/reference/dividends`, `/stocks/v1/dividends`).
public struct CashDividend: Sendable, Hashable, Codable {
    /// First New York date trading without the dividend.
    public var exDividendDate: LocalDate
    /// Amount per share in the share terms of the day before the ex-date (Polygon's original
    /// `cash_amount`, not the split-adjusted one), in the price currency.
    public var cashAmount: Double

    public init(exDividendDate: LocalDate, cashAmount: Double) {
        self.exDividendDate = exDividendDate
        self.cashAmount = cashAmount
    }
}
