/// Renders calendar sessions as CSV, the output of `scraper calendar`.
///
/// Columns: `date,open_utc,close_utc,early_close`, and with extended hours two more at the end,
/// `pre_open_utc,post_close_utc`, so scripts reading the first four columns by position keep
/// working. Instants are ISO-8601 UTC with a `Z` (`2024-11-29T14:30:00Z`); `early_close` is 0 or 1.
public struct CalendarCSV: Sendable {
    public let calendar: TradingCalendar
    /// Whether to add the pre-market open (04:00) and post-market close (20:00 or 17:00) columns.
    public var includeExtendedHours: Bool

    public init(calendar: TradingCalendar, includeExtendedHours: Bool = false) {
        self.calendar = calendar
        self.includeExtendedHours = includeExtendedHours
    }

    /// The header line, without a line break.
    public var header: String {
        includeExtendedHours
            ? "date,open_utc,close_utc,early_close,pre_open_utc,post_close_utc"
            : "date,open_utc,close_utc,early_close"
    }

    /// Parses the two bounds of a request and checks they lie in the calendar's supported range.
    /// - Throws: `CalendarError` with `.invalidDate`, `.invalidRange` or `.dateOutOfRange`.
    public static func dayRange(from first: String, to last: String) throws(CalendarError) -> DayRange {
        let supported = TradingCalendar.supportedRange
        var dates: [LocalDate] = []
        for (name, text) in [("--from", first), ("--to", last)] {
            guard let date = LocalDate(text) else {
                throw CalendarError(.invalidDate, "\(name) '\(text)' is not a date; use YYYY-MM-DD, e.g. 2024-01-31")
            }
            guard supported.contains(date) else {
                throw CalendarError(
                    .dateOutOfRange,
                    "\(name) \(date) is outside the calendar's range \(supported.first)…\(supported.last)")
            }
            dates.append(date)
        }
        guard let range = DayRange(dates[0], dates[1]) else {
            throw CalendarError(.invalidRange, "--to \(dates[1]) is before --from \(dates[0])")
        }
        return range
    }

    /// One CSV line (no line break) per session in `range`, in date order.
    public func lines(in range: DayRange) -> [String] {
        calendar.sessionIndices(in: range).map(line(sessionAt:))
    }

    /// The header and every session line in `range`, each ended by `\n`.
    public func render(_ range: DayRange) -> String {
        var text = header + "\n"
        for line in lines(in: range) {
            text += line
            text += "\n"
        }
        return text
    }

    private func line(sessionAt index: Int) -> String {
        let hours = calendar.sessions[index]
        let early = calendar.isEarlyClose(sessionAt: index) ? "1" : "0"
        var line = "\(hours.date),\(Self.iso8601(hours.regularOpenMs)),\(Self.iso8601(hours.regularCloseMs)),\(early)"
        if includeExtendedHours {
            line += ",\(Self.iso8601(hours.preMarketOpenMs)),\(Self.iso8601(hours.postMarketCloseMs))"
        }
        return line
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for an instant, truncated to the second.
    /// - Parameter utcMilliseconds: milliseconds since the Unix epoch.
    public static func iso8601(_ utcMilliseconds: Int64) -> String {
        let date = LocalDate(utcMilliseconds: utcMilliseconds)
        let secondOfDay = Int((utcMilliseconds - date.utcMidnightMilliseconds) / 1_000)
        let (hour, minute, second) = (secondOfDay / 3_600, secondOfDay / 60 % 60, secondOfDay % 60)
        return "\(date)T\(twoDigits(hour)):\(twoDigits(minute)):\(twoDigits(second))Z"
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
