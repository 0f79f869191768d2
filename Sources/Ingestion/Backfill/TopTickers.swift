import BackfillCore
import Polygon

/// `--all --limit N`: the N most traded tickers by dollar volume (close × volume) of one session,
/// from a single grouped-daily request rather than one request per ticker.
public enum TopTickers {
    /// Ranks grouped-daily bars; ties break by ticker so the choice is stable.
    public static func rank(_ bars: [AggregateBar], limit: Int) -> [String] {
        bars.compactMap { bar -> (String, Double)? in
            guard let ticker = bar.ticker, Symbol.problem(with: ticker) == nil, bar.close > 0, bar.volume > 0 else {
                return nil
            }
            return (ticker, bar.close * bar.volume)
        }
        .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        .prefix(max(0, limit)).map(\.0)
    }

    /// The top `limit` tickers of the last session on or before `date`.
    public static func fetch(
        client: RESTClient, onOrBefore date: LocalDate, limit: Int, calendar: TradingCalendar = TradingCalendar()
    ) async throws -> (session: LocalDate, tickers: [String]) {
        var day = date
        while !calendar.isSession(day), day > SyntheticEpoch.first { day = day.adding(days: -1) }
        let bars = try await client.groupedDaily(day)
        return (day, rank(bars, limit: limit))
    }
}

/// The earliest date the ranking walks back to.
enum SyntheticEpoch {
    static let first = LocalDate(year: 2000, month: 1, day: 3)!
}
