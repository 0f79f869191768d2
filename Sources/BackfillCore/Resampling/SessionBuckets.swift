/// Where a bar belongs when resampling: its bucket, and the stretch of that bucket inside the
/// bar's own session segment (what a later bar can be checked against without the calendar).
struct BucketPlacement: Sendable, Equatable {
    /// Bucket bounds in UTC milliseconds, `startMs` inclusive and `endMs` exclusive.
    var startMs: Int64
    var endMs: Int64
    /// The output bar's `windowStartMs`.
    var labelMs: Int64
    /// The part of the bucket that lies in one contiguous stretch of included hours, as UTC ms.
    var segmentStartMs: Int64
    var segmentEndMs: Int64
}

/// Maps an instant to its resampling bucket using the trading calendar.
///
/// Intraday grids are anchored at the regular open: regular buckets are `open + k·n` and end at
/// the close at the latest (so early closes end the last bucket early). With extended hours, the
/// pre-market continues the same grid backwards from the open (`open − k·n`, the first bucket cut
/// at 04:00), so no bucket straddles the open; the post-market starts a grid at the close
/// (`close + k·n`, cut at 20:00 or 17:00), so no bucket straddles the close.
struct SessionBuckets: Sendable {
    let calendar: TradingCalendar
    let interval: ResampleInterval
    let includeExtendedHours: Bool
    /// Intraday bucket width in ms (unused for day and week).
    private let stepMs: Int64

    init(calendar: TradingCalendar, interval: ResampleInterval, includeExtendedHours: Bool) {
        self.calendar = calendar
        self.interval = interval
        self.includeExtendedHours = includeExtendedHours
        if case .minutes(let n) = interval { stepMs = Int64(n) * 60_000 } else { stepMs = 0 }
    }

    /// The bucket of a bar starting at `ms`, or nil when `ms` is outside the included hours.
    func placement(of ms: Int64) -> BucketPlacement? {
        guard let index = calendar.sessionIndex(containing: ms) else { return nil }
        let hours = calendar.sessions[index]
        let regular = ms >= hours.regularOpenMs && ms < hours.regularCloseMs
        guard regular || includeExtendedHours else { return nil }
        switch interval {
        case .minutes: return intraday(ms, hours)
        case .day: return daily(hours)
        case .week: return weekly(index)
        }
    }

    private func intraday(_ ms: Int64, _ hours: SessionHours) -> BucketPlacement {
        let open = hours.regularOpenMs
        let close = hours.regularCloseMs
        let start: Int64
        let end: Int64
        if ms < open {
            let k = (open - ms + stepMs - 1) / stepMs
            start = max(open - k * stepMs, hours.preMarketOpenMs)
            end = open - (k - 1) * stepMs
        } else if ms < close {
            start = open + (ms - open) / stepMs * stepMs
            end = min(start + stepMs, close)
        } else {
            start = close + (ms - close) / stepMs * stepMs
            end = min(start + stepMs, hours.postMarketCloseMs)
        }
        return BucketPlacement(startMs: start, endMs: end, labelMs: start, segmentStartMs: start, segmentEndMs: end)
    }

    private func daily(_ hours: SessionHours) -> BucketPlacement {
        let (start, end) = bounds(of: hours)
        return BucketPlacement(
            startMs: start, endMs: end, labelMs: Self.newYorkMidnight(of: hours),
            segmentStartMs: start, segmentEndMs: end)
    }

    private func weekly(_ index: Int) -> BucketPlacement {
        let hours = calendar.sessions[index]
        let date = hours.date
        let monday = date.adding(days: 1 - date.isoWeekday)
        let week = calendar.sessionIndices(from: monday, through: monday.adding(days: 6))
        let first = calendar.sessions[week.lowerBound]
        let last = calendar.sessions[week.upperBound - 1]
        let (segmentStart, segmentEnd) = bounds(of: hours)
        return BucketPlacement(
            startMs: bounds(of: first).start, endMs: bounds(of: last).end, labelMs: Self.newYorkMidnight(of: first),
            segmentStartMs: segmentStart, segmentEndMs: segmentEnd)
    }

    /// The included hours of a session: regular, or pre-market open to post-market close.
    private func bounds(of hours: SessionHours) -> (start: Int64, end: Int64) {
        includeExtendedHours
            ? (hours.preMarketOpenMs, hours.postMarketCloseMs) : (hours.regularOpenMs, hours.regularCloseMs)
    }

    /// Midnight New York on the session date. Clocks change on Sundays, never on a session day, so
    /// midnight is 9.5 hours before the open.
    static func newYorkMidnight(of hours: SessionHours) -> Int64 {
        hours.regularOpenMs - (9 * 60 + 30) * 60_000
    }
}
