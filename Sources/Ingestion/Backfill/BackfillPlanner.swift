import BackfillCore
import Storage

/// Turns a request into the chunks still missing from the store: what is covered is not refetched.
public struct BackfillPlanner: Sendable {
    public let store: any BarStore

    public init(store: any BarStore) {
        self.store = store
    }

    /// The work items, daily before minute, ticker by ticker, oldest chunk first.
    public func plan(_ request: BackfillRequest) async throws -> (items: [WorkItem], coveredSpans: Int) {
        let range = DayRange(request.range.first, min(request.range.last, request.today)) ?? request.range
        var items: [WorkItem] = []
        var coveredSpans = 0
        if request.allTickers {
            return try await planMarketDays(range, request: request)
        }
        for timeframe in request.timeframes {
            for symbol in request.tickers {
                let covered = try await store.coverageForPlanning(symbol: symbol, timeframe: timeframe)
                var missing = range.subtracting(covered)
                if let allowed = request.onlyRanges {
                    missing = missing.flatMap { gap in (allowed[symbol] ?? []).compactMap { gap.intersection($0) } }
                }
                if missing.isEmpty { coveredSpans += 1 }
                for gap in missing {
                    for chunk in gap.chunked(maxDays: request.chunkDays(for: timeframe)) {
                        let done = DayRange(chunk.first, min(chunk.last, request.today.adding(days: -1)))
                        items.append(WorkItem(symbol: symbol, timeframe: timeframe, range: chunk, completes: done))
                    }
                }
            }
        }
        return (items, coveredSpans)
    }

    /// The chunks of a backfill shared by several workers: the whole range cut as a first run cuts
    /// it, then the chunks already fully covered left out. Unlike ``plan(_:)``, chunk boundaries do
    /// not move with what is stored, so workers that plan the same request at different moments
    /// name the same tasks (a chunk another worker just finished is covered, and left out, or is
    /// already in the queue).
    public func planShared(_ request: BackfillRequest) async throws -> [WorkItem] {
        let range = DayRange(request.range.first, min(request.range.last, request.today)) ?? request.range
        if request.allTickers { return try await planMarketDays(range, request: request).items }
        var items: [WorkItem] = []
        for timeframe in request.timeframes {
            for symbol in request.tickers {
                let covered = try await store.coverageForPlanning(symbol: symbol, timeframe: timeframe)
                for chunk in range.chunked(maxDays: request.chunkDays(for: timeframe))
                where !chunk.subtracting(covered).isEmpty {
                    let done = DayRange(chunk.first, min(chunk.last, request.today.adding(days: -1)))
                    items.append(WorkItem(symbol: symbol, timeframe: timeframe, range: chunk, completes: done))
                }
            }
        }
        return items
    }

    /// One item per session not yet recorded for the whole market: each is one grouped-daily request.
    func planMarketDays(_ range: DayRange, request: BackfillRequest) async throws -> (
        items: [WorkItem], coveredSpans: Int
    ) {
        let covered = try await store.coverage(symbol: BarStoreSymbols.allTickers, timeframe: .day)
        let calendar = TradingCalendar()
        var items: [WorkItem] = []
        for gap in range.subtracting(covered) {
            for session in calendar.sessions(in: gap) {
                let day = DayRange(session.date, session.date)!
                let done = session.date < request.today ? day : nil
                items.append(WorkItem(symbol: BarStoreSymbols.allTickers, timeframe: .day, range: day, completes: done))
            }
        }
        return (items, items.isEmpty ? 1 : 0)
    }
}
