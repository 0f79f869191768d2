import BackfillCore
import Storage

/// Per symbol and session: what the calendar expects, what is stored, and the gaps — the read side
/// of the completeness ledger (`scraper gaps`).
public struct CompletenessReport: Sendable {
    public enum Status: String, Sendable, Equatable {
        /// Fetched, every regular-session minute present.
        case complete
        /// Fetched, some regular minutes without a bar (no trade, or a hole at the source).
        case partial
        /// Not fetched yet (no completed range covers it).
        case missing
    }

    public struct Row: Sendable, Equatable {
        public var symbol: String
        public var coverage: SessionCoverage
        public var status: Status
    }

    public var rows: [Row]

    /// Builds the report from the store for `symbols` over `range` (regular-session minutes).
    public static func make(
        store: any BarStore, symbols: [String], range: DayRange, calendar: TradingCalendar = TradingCalendar()
    )
        async throws -> CompletenessReport
    {
        let detector = GapDetector(calendar: calendar)
        var rows: [Row] = []
        let first = EasternTime.utcMilliseconds(on: range.first, minutesAfterMidnight: 0)
        let last = EasternTime.utcMilliseconds(on: range.last.adding(days: 1), minutesAfterMidnight: 0) - 1
        for symbol in symbols {
            let covered = try await store.coverage(symbol: symbol, timeframe: .minute)
            let bars = try await store.bars(
                symbol: symbol, timeframe: .minute, fromMs: first, toMs: last, limit: 10_000_000)
            for coverage in detector.coverage(symbol: symbol, bars: bars, in: range) {
                let fetched = covered.contains { $0.contains(coverage.date) }
                let status: Status = !fetched ? .missing : (coverage.isComplete ? .complete : .partial)
                rows.append(Row(symbol: symbol, coverage: coverage, status: status))
            }
        }
        return CompletenessReport(rows: rows)
    }

    /// Sessions per status for one symbol.
    public func counts(for symbol: String) -> [Status: Int] {
        rows.filter { $0.symbol == symbol }.reduce(into: [:]) { $0[$1.status, default: 0] += 1 }
    }
}
