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
