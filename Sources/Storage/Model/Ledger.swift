import BackfillCore

/// The completeness of one symbol's minute bars in one weekday of a range.
public struct LedgerEntry: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable, CaseIterable {
        /// The session was fetched whole (flat file, REST range); `received` may still be short
        /// of `expected` where nothing traded.
        case complete
        /// Only part of the session is in: the live feed, or a day still in progress.
        case partial
        /// Not fetched.
        case missing
        /// Outside the symbol's listing (before it listed or after it delisted).
        case notListed = "not listed"
        /// A weekday the exchange was closed.
        case holiday
    }

    public var symbol: String
    public var session: LocalDate
    public var status: Status
    /// Regular-session minutes by the calendar (390, 210 on early closes; 0 on holidays).
    public var expected: Int
    /// Stored minute bars in the extended session (04:00–20:00).
    public var received: Int
    /// Of those, regular-session minutes.
    public var regular: Int
    public var source: BarSource?

    /// Regular-session minutes without a bar.
    public var gapMinutes: Int { max(0, expected - regular) }

    public init(
        symbol: String, session: LocalDate, status: Status, expected: Int, received: Int, regular: Int,
        source: BarSource?
    ) {
        self.symbol = symbol
        self.session = session
        self.status = status
        self.expected = expected
        self.received = received
        self.regular = regular
        self.source = source
    }
}

extension LedgerEntry {
    /// Sessions that a repair should fetch again: missing or partial, before `today`, grouped into
    /// runs of consecutive sessions per symbol (a holiday inside a run does not break it).
    /// - Parameter entries: ledger entries ordered by symbol, then session.
    public static func repairRanges(_ entries: [LedgerEntry], before today: LocalDate) -> [(
        symbol: String, range: DayRange
    )] {
        var result: [(symbol: String, range: DayRange)] = []
        var current: (symbol: String, first: LocalDate, last: LocalDate)?
        for entry in entries {
            let wanted = (entry.status == .missing || entry.status == .partial) && entry.session < today
            if wanted, let run = current, run.symbol == entry.symbol {
                current = (run.symbol, run.first, entry.session)
                continue
            }
            if entry.status == .holiday, current?.symbol == entry.symbol { continue }
            if let run = current, let range = DayRange(run.first, run.last) { result.append((run.symbol, range)) }
            current = wanted ? (entry.symbol, entry.session, entry.session) : nil
        }
        if let run = current, let range = DayRange(run.first, run.last) { result.append((run.symbol, range)) }
        return result
    }
}

/// Reads the completeness ledger, written with the bars (see ``BarStore``).
public protocol LedgerStore: Sendable {
    /// One entry per weekday of `range` for `symbol`; `listing` (first and last listed day, when
    /// known) turns sessions outside it into `not listed`.
    func ledger(symbol: String, range: DayRange, listing: DayRange?) async throws -> [LedgerEntry]

    /// Symbols that have ledger rows (minute bars stored), sorted.
    func ledgerSymbols() async throws -> [String]

    /// The days a symbol's minute bars span: its first and last session in the ledger or in a
    /// completed range; nil when nothing is stored.
    func ledgerSpan(symbol: String) async throws -> DayRange?
}
