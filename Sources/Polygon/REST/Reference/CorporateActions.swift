/// A split from `/v3/reference/splits` or `/stocks/v1/splits` (the newer one adds the adjustment
/// type and Polygon's cumulative `historical_adjustment_factor`).
public struct SplitRecord: Decodable, Sendable, Equatable {
    public var id: String?
    public var ticker: String
    public var executionDate: String
    public var splitFrom: Double
    public var splitTo: Double
    /// `forward_split`, `reverse_split` or `stock_dividend`.
    public var adjustmentType: String?
    public var historicalAdjustmentFactor: Double?

    enum CodingKeys: String, CodingKey {
        case id, ticker
        case executionDate = "execution_date"
        case splitFrom = "split_from"
        case splitTo = "split_to"
        case adjustmentType = "adjustment_type"
        case historicalAdjustmentFactor = "historical_adjustment_factor"
    }
}

/// A cash dividend from `/v3/reference/dividends` or `/stocks/v1/dividends`.
public struct DividendRecord: Decodable, Sendable, Equatable {
    public var id: String?
    public var ticker: String
    /// As declared (not split-adjusted).
    public var cashAmount: Double
    public var splitAdjustedCashAmount: Double?
    public var currency: String?
    public var declarationDate: String?
    public var exDividendDate: String
    public var recordDate: String?
    public var payDate: String?
    /// Payments per year (0 one-off, 1, 2, 4, 12, …).
    public var frequency: Int?
    /// v3: `CD`, `SC`, `LT`, `ST`.
    public var dividendType: String?
    /// v1: `recurring`, `special`, `supplemental`, `irregular`, `unknown`.
    public var distributionType: String?
    public var historicalAdjustmentFactor: Double?

    enum CodingKeys: String, CodingKey {
        case id, ticker, currency, frequency
        case cashAmount = "cash_amount"
        case splitAdjustedCashAmount = "split_adjusted_cash_amount"
        case declarationDate = "declaration_date"
        case exDividendDate = "ex_dividend_date"
        case recordDate = "record_date"
        case payDate = "pay_date"
        case dividendType = "dividend_type"
        case distributionType = "distribution_type"
        case historicalAdjustmentFactor = "historical_adjustment_factor"
    }
}
