import BackfillCore
import Foundation
import Ingestion
import Storage

/// `scraper --dry-run`: the plan and its cost, from the store's coverage and the calendar; no request.
enum DryRun {
    static func print(
        _ request: BackfillRequest, store: any BarStore & ReferenceStore, requestsPerMinute: Double?, database: String
    ) async throws -> Int32 {
        let (items, covered) = try await BackfillPlanner(store: store).plan(request)
        let calendar = TradingCalendar()
        let who = request.allTickers ? "every ticker" : request.tickers.joined(separator: ", ")
        var lines = ["Plan for \(who) \(request.range) into \(database):"]
        for timeframe in request.timeframes {
            let subset = items.filter { $0.timeframe == timeframe }
            let estimate = PlanEstimate(items: subset, calendar: calendar, requestsPerMinute: requestsPerMinute)
            lines.append(
                "  \(timeframe) chunks   \(estimate.chunks) (\(estimate.sessions) sessions, ~\(Format.count(estimate.bars)) bars, "
                    + "~\(estimate.requests) requests, ~\(Format.megabytes(estimate.bytes)))")
        }
        let total = PlanEstimate(items: items, calendar: calendar, requestsPerMinute: requestsPerMinute)
        lines.append("  already complete  \(covered) ticker/timeframes")
        let phases = try await MetadataPhases.estimate(request, store: store)
        for phase in phases {
            lines.append(
                "  \(phase.phase)".padding(toLength: 14, withPad: " ", startingAt: 0)
                    + "\(phase.scopes) to fetch, \(phase.synced) already synced, ~\(phase.requests) requests")
        }
        let requests = total.requests + phases.map(\.requests).reduce(0, +)
        let time =
            requestsPerMinute.map { Double(requests) / $0 * 60 }.map {
                "~\(Format.seconds($0)) at \(Format.count(Int(requestsPerMinute ?? 0))) requests/minute"
            }
            ?? "no rate limit: bounded by the network and the database"
        lines.append("  total     \(requests) requests, \(Format.megabytes(total.bytes)), \(time)")
        for item in items.prefix(10) { lines.append("    \(item)") }
        if items.count > 10 { lines.append("    … and \(items.count - 10) more chunks") }
        Swift.print(lines.joined(separator: "\n"))
        return 0
    }
}
