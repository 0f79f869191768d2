import BackfillCore

/// One company share class of the synthetic world: its identity, the tickers it traded under and
/// its corporate actions. Prices belong to the security, not the ticker, so a renamed ticker
/// continues the same series.
public struct SyntheticSecurity: Sendable, Equatable {
    /// A period during which the security traded as `ticker` (`last` nil while it still does).
    public struct Name: Sendable, Equatable {
        public var ticker: String
        public var first: LocalDate
        public var last: LocalDate?
    }

    /// A split executed before the open of `date`: `from` old shares became `to` new ones.
    public struct Split: Sendable, Equatable {
        public var date: LocalDate
        public var from: Double
        public var to: Double
    }

    public var id: Int
    public var name: String
    /// `CS`, `ETF`, `ADRC`, `PFD`, `WARRANT`.
    public var type: String
    /// Primary exchange MIC.
    public var exchange: String
    public var compositeFIGI: String
    public var shareClassFIGI: String
    public var cik: String
    /// First session with bars.
    public var listDate: LocalDate
    /// Last session with bars, for delisted securities.
    public var delistDate: LocalDate?
    /// Oldest first; consecutive, non-overlapping.
    public var names: [Name]
    /// Oldest first.
    public var splits: [Split]
    /// Ex-dividend dates of its quarterly cash dividends (amounts come from the price path).
    public var dividendDates: [LocalDate]
    /// Typical shares per regular-session minute.
    public var baseVolume: Double
    /// Shares outstanding today, for market caps.
    public var sharesOutstanding: Double

    /// The ticker on `date`, if the security traded then.
    public func ticker(on date: LocalDate) -> String? {
        guard date >= listDate, delistDate.map({ date <= $0 }) ?? true else { return nil }
        return names.first { $0.first <= date && ($0.last.map { date <= $0 } ?? true) }?.ticker
    }

    /// The name it trades under now, or traded under last.
    public var currentTicker: String { names.last?.ticker ?? "" }

    public var isActive: Bool { delistDate == nil }

    /// Product of `to / from` over splits executed on or before `date`: shares per original share.
    public func splitMultiplier(through date: LocalDate) -> Double {
        splits.reduce(1) { $1.date <= date ? $0 * $1.to / $1.from : $0 }
    }
}
