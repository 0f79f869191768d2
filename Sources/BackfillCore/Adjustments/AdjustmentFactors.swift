/// Cumulative backward adjustment factors of one symbol, from its reviewed splits and dividends.
///
/// Bars are stored raw; adjusted series are derived on read. A price on New York date D is
/// multiplied by the product of the factors of every action dated after D: `splitFrom / splitTo` for
/// a split, `1 − cash / previous close` for a dividend. Volume is divided by the split part only.
/// Prices on or after the last action's date stay raw.
public struct AdjustmentFactors: Sendable, Equatable, Codable {
    /// Which actions an adjusted series reflects.
    public struct Kind: OptionSet, Sendable, Hashable, Codable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// Split factors (prices and volume).
        public static let splits = Kind(rawValue: 1)
        /// Cash dividend factors (prices only).
        public static let dividends = Kind(rawValue: 2)
        /// Splits and dividends: total-return style prices.
        public static let all: Kind = [.splits, .dividends]
    }

    /// One accepted action: its date, its own factor, and the product of its and all later factors.
    public struct Step: Sendable, Equatable, Codable {
        /// Execution or ex-date: prices before this date are adjusted by it.
        public var date: LocalDate
        /// This action's own price multiplier (e.g. 0.5 for a 2-for-1 split).
        public var factor: Double
        /// `factor` × every later step's factor: the multiplier for a price on the day before `date`.
        public var cumulative: Double
    }

    /// Accepted splits, oldest first.
    public private(set) var splitSteps: [Step]
    /// Accepted dividends, oldest first.
    public private(set) var dividendSteps: [Step]
    /// What the review rejected or flagged.
    public private(set) var issues: [AdjustmentIssue]

    /// Reviews the actions (see ``CorporateActionReview``) and builds the cumulative factors.
    /// - Parameters:
    ///   - splits: the symbol's splits, any order.
    ///   - dividends: the symbol's cash dividends, any order.
    ///   - closes: raw regular-session closes, needed for dividend factors and split checks.
    public init(splits: [Split], dividends: [CashDividend], closes: [SessionClose]) {
        let review = CorporateActionReview(splits: splits, dividends: dividends, closes: closes)
        splitSteps = Self.steps(review.splits.map { ($0.action.executionDate, $0.factor) })
        dividendSteps = Self.steps(review.dividends.map { ($0.action.exDividendDate, $0.factor) })
        issues = review.issues
    }

    /// The price multiplier for New York date `date`.
    public func priceFactor(on date: LocalDate, kind: Kind = .all) -> Double {
        var factor = 1.0
        if kind.contains(.splits) { factor *= Self.cumulative(of: splitSteps, after: date) }
        if kind.contains(.dividends) { factor *= Self.cumulative(of: dividendSteps, after: date) }
        return factor
    }

    /// The volume multiplier for New York date `date`: the inverse of the split factor (dividends
    /// leave volume alone).
    public func volumeFactor(on date: LocalDate, kind: Kind = .all) -> Double {
        kind.contains(.splits) ? 1 / Self.cumulative(of: splitSteps, after: date) : 1
    }

    /// The bar as if every selected action since had always been in force. Prices (OHLC and VWAP)
    /// are multiplied by ``priceFactor(on:kind:)`` of the bar's New York date, volume by
    /// ``volumeFactor(on:kind:)``; time and trade count are unchanged.
    public func adjusted(_ bar: Bar, kind: Kind = .all) -> Bar {
        let date = EasternTime.date(containing: bar.windowStartMs)
        return Self.scaled(bar, price: priceFactor(on: date, kind: kind), volume: volumeFactor(on: date, kind: kind))
    }

    /// Undoes ``adjusted(_:kind:)``: the raw bar back from an adjusted one.
    public func unadjusted(_ bar: Bar, kind: Kind = .all) -> Bar {
        let date = EasternTime.date(containing: bar.windowStartMs)
        return Self.scaled(
            bar, price: 1 / priceFactor(on: date, kind: kind), volume: 1 / volumeFactor(on: date, kind: kind))
    }

    /// Adjusts raw bars (any order), each by the factors of its own New York date.
    public func adjusted(_ bars: [Bar], kind: Kind = .all) -> [Bar] {
        bars.map { adjusted($0, kind: kind) }
    }

    static func steps(_ actions: [(date: LocalDate, factor: Double)]) -> [Step] {
        let sorted = actions.sorted { $0.date < $1.date }
        var steps: [Step] = []
        var cumulative = 1.0
        for action in sorted.reversed() {
            cumulative *= action.factor
            steps.append(Step(date: action.date, factor: action.factor, cumulative: cumulative))
        }
        return steps.reversed()
    }

    /// The cumulative factor of the first step dated after `date`, or 1 when there is none.
    static func cumulative(of steps: [Step], after date: LocalDate) -> Double {
        let index = CorporateActionReview.firstIndex(in: steps) { $0.date > date }
        return index < steps.count ? steps[index].cumulative : 1
    }

    static func scaled(_ bar: Bar, price: Double, volume: Double) -> Bar {
        var scaled = bar
        scaled.open *= price
        scaled.high *= price
        scaled.low *= price
        scaled.close *= price
        scaled.vwap = bar.vwap.map { $0 * price }
        scaled.volume *= volume
        return scaled
    }
}
