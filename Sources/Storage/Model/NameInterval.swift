import BackfillCore

/// A ticker name with the part of all time it owns for its security (ms UTC, `fromMs..<untilMs`):
/// the `ticker_names` partition both stores keep, so every bar shows under exactly one name (FB
/// before 2022-06-09, META after).
public struct NameInterval: Sendable, Equatable {
    public var name: TickerName
    public var fromMs: Int64
    public var untilMs: Int64

    /// The open ends of the partition.
    public static let openFromMs = Int64.min
    public static let openUntilMs = Int64.max

    /// Names sorted by first day; each owns the time from its first day (New York midnight) to the
    /// next name's, the first one from the beginning of time and the last one to its end.
    public static func intervals(_ names: [TickerName]) -> [NameInterval] {
        let sorted = names.sorted { a, b in
            guard let second = b.first else { return false }
            return a.first.map { $0 < second } ?? true
        }
        var result: [NameInterval] = []
        for (index, name) in sorted.enumerated() {
            let from = index == 0 ? openFromMs : name.first.map(midnightMs) ?? openFromMs
            result.append(NameInterval(name: name, fromMs: from, untilMs: openUntilMs))
            if index > 0 { result[index - 1].untilMs = max(result[index - 1].fromMs, from) }
        }
        return result
    }

    /// New York midnight of `date`, ms UTC.
    public static func midnightMs(_ date: LocalDate) -> Int64 {
        EasternTime.utcMilliseconds(on: date, minutesAfterMidnight: 0)
    }
}
