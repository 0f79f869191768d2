/// Which hours of a session a check or a count covers.
public enum SessionScope: String, Sendable, Hashable, Codable, CaseIterable {
    /// 09:30–16:00 New York (13:00 on early closes).
    case regular
    /// 04:00–20:00 New York (17:00 on early closes): pre-market, regular and post-market.
    case extended

    /// The covered part of a session as UTC milliseconds, start inclusive, end exclusive.
    public func bounds(of hours: SessionHours) -> Range<Int64> {
        switch self {
        case .regular: return hours.regularOpenMs..<hours.regularCloseMs
        case .extended: return hours.preMarketOpenMs..<hours.postMarketCloseMs
        }
    }
}
