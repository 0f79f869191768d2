/// A stock split as Polygon reports it (`/v3/reference/splits`, `/stocks/v1/splits`).
///
/// `splitFrom` old shares become `splitTo` new ones: a 2-for-1 forward split is 1 → 2, a 1-for-10
/// reverse split is 10 → 1. The execution date is the first New York day that trades split-adjusted
/// (its pre-market included); the previous day's post-market is the last pre-split session.
public struct Split: Sendable, Hashable, Codable {
    /// First New York date trading on the new share basis.
    public var executionDate: LocalDate
    /// Old shares (Polygon `split_from`).
    public var splitFrom: Double
    /// New shares (Polygon `split_to`).
    public var splitTo: Double

    public init(executionDate: LocalDate, splitFrom: Double, splitTo: Double) {
        self.executionDate = executionDate
        self.splitFrom = splitFrom
        self.splitTo = splitTo
    }

    /// Multiplier for prices before the split: `splitFrom / splitTo` (0.5 for a 2-for-1 split).
    public var priceFactor: Double { splitFrom / splitTo }
}
