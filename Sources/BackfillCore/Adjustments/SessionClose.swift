/// The raw (unadjusted) regular-session close of one New York trading day.
///
/// Dividend factors divide by the close of the session before the ex-date, and split checks compare
/// closes on both sides of the execution date.
public struct SessionClose: Sendable, Hashable, Codable {
    /// New York trading date.
    public var date: LocalDate
    /// Official close, price units.
    public var close: Double

    public init(date: LocalDate, close: Double) {
        self.date = date
        self.close = close
    }

    /// Closes from raw daily bars (Polygon's daily `c` is the regular-session close), one per New York
    /// date, sorted by date; where a date repeats, the later bar wins.
    /// - Parameter bars: daily bars whose `windowStartMs` falls on their New York trading date.
    public static func closes(fromDailyBars bars: some Sequence<Bar>) -> [SessionClose] {
        var byDate: [LocalDate: Double] = [:]
        for bar in bars.sorted(by: { $0.windowStartMs < $1.windowStartMs }) {
            byDate[EasternTime.date(containing: bar.windowStartMs)] = bar.close
        }
        return byDate.map { SessionClose(date: $0.key, close: $0.value) }.sorted { $0.date < $1.date }
    }
}
