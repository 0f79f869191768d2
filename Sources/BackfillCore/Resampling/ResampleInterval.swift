/// The width of the bars a `Resampler` produces, always aligned to the exchange's sessions.
public enum ResampleInterval: Sendable, Hashable, CustomStringConvertible {
    /// Buckets of `n` minutes anchored at the regular open (09:30 New York), cut short at the
    /// regular close (16:00, or 13:00 on early closes). See `Resampler` for extended hours.
    case minutes(Int)
    /// One bar per session, labelled with midnight New York of the session date (as Polygon does).
    case day
    /// One bar per trading week (the sessions of one Monday-to-Sunday week), labelled with midnight
    /// New York of the week's first session.
    case week

    /// The interval for a `Timeframe`: n minutes, n hours (60·n minutes), one day or one week.
    /// - Throws: `CalendarError.Code.unsupportedTimeframe` for multi-day or multi-week timeframes.
    public init(_ timeframe: Timeframe) throws(CalendarError) {
        switch (timeframe.unit, timeframe.multiplier) {
        case (.minute, let n): self = .minutes(n)
        case (.hour, let n) where n <= Self.maximumMinutes / 60: self = .minutes(60 * n)
        case (.day, 1): self = .day
        case (.week, 1): self = .week
        default:
            throw CalendarError(
                .unsupportedTimeframe,
                "cannot resample to \(timeframe); use n minutes or hours up to 24h, 1d or 1w")
        }
    }

    /// The widest intraday bucket, in minutes (one day; wider buckets are cut at the session anyway).
    public static let maximumMinutes = 24 * 60

    public var description: String {
        switch self {
        case .minutes(let n): return "\(n)m"
        case .day: return "1d"
        case .week: return "1w"
        }
    }
}
