/// Finds the minutes a symbol is missing in each session: expected minutes from the calendar
/// against the minute bars received.
///
/// Bars may come in any order and may repeat; a bar counts for the minute containing its window
/// start. Bars outside the scope of every session are not counted here (validation reports them).
/// Note that a missing minute can be genuine for an illiquid symbol (no trade, no bar); the
/// completeness figure says how much is there, not whether the provider failed.
public struct GapDetector: Sendable {
    public let calendar: TradingCalendar
    public var scope: SessionScope

    public init(calendar: TradingCalendar, scope: SessionScope = .regular) {
        self.calendar = calendar
        self.scope = scope
    }

    /// One coverage per session in `range` (clipped to the calendar), in date order.
    /// - Parameters:
    ///   - symbol: recorded in each coverage.
    ///   - bars: minute bars of `symbol`, in any order.
    ///   - range: the sessions to report, including those with no bar at all.
    public func coverage(symbol: String, bars: [Bar], in range: DayRange) -> [SessionCoverage] {
        let indices = calendar.sessionIndices(in: range)
        var keys = receivedMinuteKeys(bars, sessions: indices)
        keys.sort()
        var reports: [SessionCoverage] = []
        reports.reserveCapacity(indices.count)
        var cursor = keys.startIndex
        for index in indices {
            var minutes: [Int] = []
            while cursor < keys.endIndex, keys[cursor].session == index {
                if minutes.last != keys[cursor].minute { minutes.append(keys[cursor].minute) }
                cursor += 1
            }
            reports.append(coverage(symbol: symbol, session: calendar.sessions[index], sortedMinutes: minutes))
        }
        return reports
    }

    /// Session index and minute offset in the scope of every bar that falls inside `sessions`.
    private func receivedMinuteKeys(_ bars: [Bar], sessions: Range<Int>) -> [MinuteKey] {
        var keys: [MinuteKey] = []
        keys.reserveCapacity(bars.count)
        for bar in bars {
            guard let index = calendar.sessionIndex(containing: bar.windowStartMs), sessions.contains(index) else {
                continue
            }
            let bounds = scope.bounds(of: calendar.sessions[index])
            guard bounds.contains(bar.windowStartMs) else { continue }
            keys.append(MinuteKey(session: index, minute: Int((bar.windowStartMs - bounds.lowerBound) / 60_000)))
        }
        return keys
    }

    /// Coverage of one session from the sorted, distinct minute offsets received.
    private func coverage(symbol: String, session: SessionHours, sortedMinutes: [Int]) -> SessionCoverage {
        let bounds = scope.bounds(of: session)
        let expected = Int((bounds.upperBound - bounds.lowerBound) / 60_000)
        var gaps: [MinuteGap] = []
        var next = 0
        for minute in sortedMinutes + [expected] {
            if minute > next {
                gaps.append(
                    MinuteGap(
                        startMs: bounds.lowerBound + Int64(next) * 60_000,
                        endMs: bounds.lowerBound + Int64(minute) * 60_000))
            }
            next = minute + 1
        }
        return SessionCoverage(
            symbol: symbol, date: session.date, scope: scope, expectedMinutes: expected,
            receivedMinutes: sortedMinutes.count, gaps: gaps)
    }
}

private struct MinuteKey: Comparable {
    var session: Int
    var minute: Int

    static func < (lhs: MinuteKey, rhs: MinuteKey) -> Bool {
        (lhs.session, lhs.minute) < (rhs.session, rhs.minute)
    }
}
