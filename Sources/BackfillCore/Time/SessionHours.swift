/// The bounds of one US equity trading session, as UTC milliseconds.
public struct SessionHours: Sendable, Hashable, Codable {
    public var date: LocalDate
    /// Pre-market start (04:00 New York).
    public var preMarketOpenMs: Int64
    /// Regular open (09:30 New York).
    public var regularOpenMs: Int64
    /// Regular close (16:00 New York, 13:00 on early-close days).
    public var regularCloseMs: Int64
    /// Post-market end (20:00 New York, 17:00 on early-close days).
    public var postMarketCloseMs: Int64

    public init(
        date: LocalDate, preMarketOpenMs: Int64, regularOpenMs: Int64, regularCloseMs: Int64, postMarketCloseMs: Int64
    ) {
        self.date = date
        self.preMarketOpenMs = preMarketOpenMs
        self.regularOpenMs = regularOpenMs
        self.regularCloseMs = regularCloseMs
        self.postMarketCloseMs = postMarketCloseMs
    }

    /// Standard hours on `date`, or an early close at 13:00 with post-market to 17:00.
    public static func standard(on date: LocalDate, earlyClose: Bool = false) -> SessionHours {
        let closeMinutes = earlyClose ? 13 * 60 : 16 * 60
        return SessionHours(
            date: date,
            preMarketOpenMs: EasternTime.utcMilliseconds(on: date, minutesAfterMidnight: 4 * 60),
            regularOpenMs: EasternTime.utcMilliseconds(on: date, minutesAfterMidnight: 9 * 60 + 30),
            regularCloseMs: EasternTime.utcMilliseconds(on: date, minutesAfterMidnight: closeMinutes),
            postMarketCloseMs: EasternTime.utcMilliseconds(on: date, minutesAfterMidnight: closeMinutes + 4 * 60)
        )
    }

    /// Whether a minute starting at `startMs` lies in the regular session.
    public func isRegular(minuteStartingAt startMs: Int64) -> Bool {
        startMs >= regularOpenMs && startMs < regularCloseMs
    }

    /// Whether a minute starting at `startMs` lies anywhere in the extended session.
    public func isExtended(minuteStartingAt startMs: Int64) -> Bool {
        startMs >= preMarketOpenMs && startMs < postMarketCloseMs
    }
}
