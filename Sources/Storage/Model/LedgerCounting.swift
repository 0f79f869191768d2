import BackfillCore

/// The ledger's arithmetic, the same for every store: which sessions a run of minute bars touches
/// with their counts, the minutes a session expects, and the entries of a range from stored rows
/// and completed ranges. Stores keep only their SQL.
public enum LedgerCounting {
    /// One calendar for every store (its tables are built once).
    public static let calendar = TradingCalendar()

    /// A session's counts from a run of bars: `index` into ``calendar``'s sessions.
    public struct SessionCount: Sendable, Equatable {
        public var index: Int
        public var received: Int
        public var regular: Int
    }

    /// A ledger row as a store keeps it.
    public struct StoredRow: Sendable, Equatable {
        public var expected: Int
        public var received: Int
        public var regular: Int
        public var status: String
        public var source: String

        public init(expected: Int, received: Int, regular: Int, status: String, source: String) {
            self.expected = expected
            self.received = received
            self.regular = regular
            self.status = status
            self.source = source
        }
    }

    /// The sessions `bars` (time order) touch, with their extended- and regular-session minutes; a
    /// minute sent twice in a row counts once, and bars outside every session count nowhere.
    public static func sessions(of bars: [Bar]) -> [SessionCount] {
        var touched: [SessionCount] = []
        var current = -1
        var previousTime = Int64.min
        for bar in bars {
            if bar.windowStartMs == previousTime { continue }
            previousTime = bar.windowStartMs
            // Bars arrive in time order, so most lookups repeat the previous session.
            if current < 0 || bar.windowStartMs < calendar.sessions[current].preMarketOpenMs
                || bar.windowStartMs >= calendar.sessions[current].postMarketCloseMs
            {
                guard let index = calendar.sessionIndex(containing: bar.windowStartMs) else { continue }
                current = index
                if touched.last?.index != index {
                    if let known = touched.firstIndex(where: { $0.index == index }) {
                        touched.append(touched.remove(at: known))
                    } else {
                        touched.append(SessionCount(index: index, received: 0, regular: 0))
                    }
                }
            }
            touched[touched.count - 1].received += 1
            if calendar.sessions[current].isRegular(minuteStartingAt: bar.windowStartMs) {
                touched[touched.count - 1].regular += 1
            }
        }
        return touched
    }

    /// Regular-session minutes of a session (390, or 210 on an early close).
    public static func expectedMinutes(_ hours: SessionHours) -> Int {
        Int((hours.regularCloseMs - hours.regularOpenMs) / 60_000)
    }

    /// Every weekday of `range`: stored rows (by session date) as they are; other sessions derived
    /// as holiday, not listed (outside `listing`), complete (inside a `covered` range, nothing
    /// traded) or missing.
    public static func entries(
        symbol: String, range: DayRange, listing: DayRange?, rows: [String: StoredRow], covered: [DayRange]
    ) -> [LedgerEntry] {
        func empty(_ day: LocalDate, _ status: LedgerEntry.Status, expected: Int) -> LedgerEntry {
            LedgerEntry(
                symbol: symbol, session: day, status: status, expected: expected, received: 0, regular: 0, source: nil)
        }
        var entries: [LedgerEntry] = []
        var day = range.first
        while day <= range.last {
            defer { day = day.adding(days: 1) }
            guard !day.isWeekend else { continue }
            guard let hours = calendar.session(on: day) else {
                entries.append(empty(day, .holiday, expected: 0))
                continue
            }
            if let row = rows[day.description] {
                entries.append(
                    LedgerEntry(
                        symbol: symbol, session: day, status: LedgerEntry.Status(rawValue: row.status) ?? .partial,
                        expected: row.expected, received: row.received, regular: row.regular,
                        source: BarSource(rawValue: row.source)))
            } else if let listing, !listing.contains(day) {
                entries.append(empty(day, .notListed, expected: 0))
            } else {
                let fetched = covered.contains { $0.contains(day) }
                entries.append(empty(day, fetched ? .complete : .missing, expected: expectedMinutes(hours)))
            }
        }
        return entries
    }
}
