import BackfillCore

extension WorkItem {
    /// The task kind of a REST chunk in a shared work queue.
    public static let taskKind = "rest-chunk"

    /// The chunk as a shared task's key, `1m AMD 2024-01-02 2024-01-31`: timeframe first, so
    /// daily chunks (`1d`) sort, and are claimed, before minute ones.
    public var taskKey: String { "\(timeframe) \(symbol) \(range.first) \(range.last)" }

    /// The chunk a task key names; what it completes is its days before `today` (today's bars may
    /// still change, as in ``BackfillPlanner``). Nil when the key is not a chunk's.
    public init?(taskKey: String, today: LocalDate) {
        let parts = taskKey.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 4, let timeframe = Timeframe(label: String(parts[0])),
            let first = LocalDate(parts[2]), let last = LocalDate(parts[3]), let range = DayRange(first, last),
            !parts[1].isEmpty
        else { return nil }
        self.init(
            symbol: String(parts[1]), timeframe: timeframe, range: range,
            completes: DayRange(first, min(last, today.adding(days: -1))))
    }
}
