import BackfillCore

/// What a user asked to backfill, in typed values.
public struct BackfillRequest: Sendable, Equatable {
    public var tickers: [String]
    /// Every ticker of the market: daily bars come from one grouped-daily request per session.
    public var allTickers = false
    /// The phases to run; bar timeframes come from `timeframes`.
    public var phases: Set<BackfillPhase> = Set(BackfillPhase.allCases)
    /// When set (`scraper repair`), each symbol is fetched only inside its listed ranges.
    public var onlyRanges: [String: [DayRange]]?
    /// Rerun tasks that failed in earlier runs.
    public var retryFailed = false
    /// Bring each symbol's saved indicator state up to its last bar after the fetch.
    public var enrich = true
    /// Inclusive New York dates.
    public var range: DayRange
    /// Timeframes to fetch, in order (daily first: it is cheap and gives a quick overview).
    public var timeframes: [Timeframe]
    /// The current New York date: its bars may still change, so it is fetched but never marked complete.
    public var today: LocalDate
    /// Requests in flight at once.
    public var concurrency: Int
    /// Days per request chunk, by timeframe: a chunk is fetched whole and committed in one transaction.
    public var minuteChunkDays: Int
    public var dailyChunkDays: Int

    public init(
        tickers: [String], range: DayRange, timeframes: [Timeframe] = [.day, .minute], today: LocalDate,
        concurrency: Int = 4, minuteChunkDays: Int = 30, dailyChunkDays: Int = 3_660
    ) {
        self.tickers = tickers
        self.range = range
        self.timeframes = timeframes
        self.today = today
        self.concurrency = max(1, concurrency)
        self.minuteChunkDays = max(1, minuteChunkDays)
        self.dailyChunkDays = max(1, dailyChunkDays)
    }

    /// `years` back from `today` (inclusive of today).
    public static func range(years: Int, endingOn today: LocalDate) -> DayRange {
        DayRange(today.adding(years: -max(years, 0)).adding(days: 1), today) ?? DayRange(today, today)!
    }

    func chunkDays(for timeframe: Timeframe) -> Int {
        timeframe.unit == .minute || timeframe.unit == .hour ? minuteChunkDays : dailyChunkDays
    }
}

/// One chunk of work: a symbol, a timeframe and a date range fetched and stored as a unit.
public struct WorkItem: Sendable, Equatable, CustomStringConvertible {
    public var symbol: String
    public var timeframe: Timeframe
    public var range: DayRange
    /// The part of `range` to mark complete once stored (days before today), if any.
    public var completes: DayRange?

    public var description: String { "\(symbol) \(timeframe) \(range)" }
}
