import BackfillCore
import Polygon
import Storage

/// Lists the day files of a range and decides which to process: one task per (dataset, day) whose
/// day is not yet covered for the wanted tickers (or the whole market), skipping failed tasks
/// unless `--retry-failed`.
public struct FlatFilePlanner: Sendable {
    /// One day file to process.
    public struct Job: Sendable, Equatable, CustomStringConvertible {
        public var object: S3ObjectInfo
        public var dataset: DayFileDataset
        public var date: LocalDate
        /// The task as stored before this run (nil when new).
        public var previous: StoredTask?

        public var description: String { object.key }
    }

    public struct Plan: Sendable, Equatable {
        /// The request's range up to the last complete day.
        public var range: DayRange?
        public var jobs: [Job]
        /// Files already stored for every wanted ticker.
        public var alreadyDone: Int
        /// Failed in an earlier run and left alone (no `--retry-failed`).
        public var skippedFailed: [StoredTask]
        /// Per dataset, the days a file is listed for (processed or not).
        public var listedDays: [DayFileDataset: Set<LocalDate>]
        /// Sessions of the range (before today) without a file yet, per dataset: REST's part in hybrid mode.
        public var unlistedSessions: [DayFileDataset: [LocalDate]]

        public var bytes: Int { jobs.reduce(0) { $0 + $1.object.size } }
    }

    public let source: any FlatFileSource
    public let store: any BarStore & TaskStore
    public let calendar: TradingCalendar

    public init(source: any FlatFileSource, store: any BarStore & TaskStore, calendar: TradingCalendar = .init()) {
        self.source = source
        self.store = store
        self.calendar = calendar
    }

    /// Plans `request` (its range up to the day before `today`, its tickers or every ticker).
    public func plan(_ request: BackfillRequest) async throws -> Plan {
        var plan = Plan(range: nil, jobs: [], alreadyDone: 0, skippedFailed: [], listedDays: [:], unlistedSessions: [:])
        guard let range = DayRange(request.range.first, min(request.range.last, request.today.adding(days: -1)))
        else { return plan }
        plan.range = range
        let tasks = try await store.tasks(kind: DayFileDataset.taskKind)
        for dataset in request.timeframes.compactMap(DayFileDataset.init(timeframe:)) {
            let objects = try await list(dataset, range)
            plan.listedDays[dataset] = Set(objects.map(\.date))
            plan.unlistedSessions[dataset] = calendar.sessions(in: range).map(\.date).filter {
                !(plan.listedDays[dataset]?.contains($0) ?? false)
            }
            let symbols = request.allTickers ? [BarStoreSymbols.allTickers] : request.tickers
            var coverage: [[DayRange]] = []
            for symbol in symbols {
                coverage.append(try await store.coverage(symbol: symbol, timeframe: dataset.timeframe))
            }
            for (object, date) in objects {
                let previous = tasks[object.key]
                let job = Job(object: object, dataset: dataset, date: date, previous: previous)
                if let previous, previous.state == .failed {
                    if request.retryFailed { plan.jobs.append(job) } else { plan.skippedFailed.append(previous) }
                    continue
                }
                // A repair names its days (holes in the ledger), stored coverage or not.
                let needed =
                    request.onlyRanges.map { only in
                        symbols.contains { only[$0]?.contains { $0.contains(date) } ?? false }
                    } ?? coverage.contains { ranges in !ranges.contains { $0.contains(date) } }
                if needed { plan.jobs.append(job) } else { plan.alreadyDone += 1 }
            }
        }
        plan.jobs.sort { ($0.date, $0.dataset.rawValue) < ($1.date, $1.dataset.rawValue) }
        return plan
    }

    /// The listed files of `dataset` inside `range`, oldest first.
    func list(_ dataset: DayFileDataset, _ range: DayRange) async throws -> [(object: S3ObjectInfo, date: LocalDate)] {
        var found: [(object: S3ObjectInfo, date: LocalDate)] = []
        for prefix in dataset.monthPrefixes(range) {
            for object in try await source.list(prefix: prefix) {
                guard let (kind, date) = DayFileDataset.parse(key: object.key), kind == dataset, range.contains(date)
                else { continue }
                found.append((object, date))
            }
        }
        return found.sorted { $0.1 < $1.1 }
    }

    /// The days a file's coverage mark spans: its date, widened over the non-session days next to it
    /// inside `range` (they hold no bars), so REST never asks for a weekend between two files.
    public func markRange(for date: LocalDate, within range: DayRange) -> DayRange {
        var first = date
        while first > range.first, !calendar.isSession(first.adding(days: -1)) { first = first.adding(days: -1) }
        var last = date
        while last < range.last, !calendar.isSession(last.adding(days: 1)) { last = last.adding(days: 1) }
        return DayRange(first, last) ?? DayRange(date, date)!
    }
}
