/// An inclusive range of calendar days, the unit in which backfill coverage is planned and recorded.
public struct DayRange: Sendable, Hashable, Codable, CustomStringConvertible {
    public let first: LocalDate
    public let last: LocalDate

    /// Creates `first...last`; returns nil when `last` is before `first`.
    public init?(_ first: LocalDate, _ last: LocalDate) {
        guard first <= last else { return nil }
        self.first = first
        self.last = last
    }

    public var dayCount: Int { last.daysSinceEpoch - first.daysSinceEpoch + 1 }

    public func contains(_ date: LocalDate) -> Bool { first <= date && date <= last }

    /// The days in both ranges, if any.
    public func intersection(_ other: DayRange) -> DayRange? {
        DayRange(max(first, other.first), min(last, other.last))
    }

    public var description: String { "\(first)…\(last)" }

    /// Splits the range into consecutive chunks of at most `days` days, in order.
    public func chunked(maxDays days: Int) -> [DayRange] {
        precondition(days > 0, "chunk size must be positive")
        var chunks: [DayRange] = []
        var start = first
        while start <= last {
            let end = min(start.adding(days: days - 1), last)
            chunks.append(DayRange(start, end)!)
            start = end.adding(days: 1)
        }
        return chunks
    }

    /// The parts of this range not covered by any of `covered`, in order.
    ///
    /// This is how a repeated or extended backfill avoids refetching what is stored.
    public func subtracting(_ covered: [DayRange]) -> [DayRange] {
        var remaining: [DayRange] = []
        var cursor = first
        for range in DayRange.merged(covered) where range.last >= cursor {
            if range.first > last { break }
            if range.first > cursor {
                remaining.append(DayRange(cursor, min(range.first.adding(days: -1), last))!)
            }
            cursor = range.last.adding(days: 1)
            if cursor > last { return remaining }
        }
        if cursor <= last { remaining.append(DayRange(cursor, last)!) }
        return remaining
    }

    /// Sorts and merges overlapping or adjacent ranges.
    public static func merged(_ ranges: [DayRange]) -> [DayRange] {
        var result: [DayRange] = []
        for range in ranges.sorted(by: { $0.first < $1.first }) {
            if let previous = result.last, range.first.daysSinceEpoch <= previous.last.daysSinceEpoch + 1 {
                result[result.count - 1] = DayRange(previous.first, max(previous.last, range.last))!
            } else {
                result.append(range)
            }
        }
        return result
    }
}
