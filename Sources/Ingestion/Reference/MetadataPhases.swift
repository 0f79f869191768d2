import BackfillCore
import Logging
import Polygon
import Storage

/// Runs the metadata phases a request selects, around the bar phases: reference and corporate
/// actions before (so bars land under the right security and adjustments are ready), news after.
public struct MetadataPhases: Sendable {
    public let client: RESTClient
    public let store: any ReferenceStore
    public let logger: Logger

    public init(client: RESTClient, store: any ReferenceStore, logger: Logger) {
        self.client = client
        self.store = store
        self.logger = logger
    }

    /// Phases 1 and 2, each when selected.
    public func runBeforeBars(_ request: BackfillRequest) async -> [PhaseReport] {
        var reports: [PhaseReport] = []
        if request.phases.contains(.reference) {
            reports.append(
                await logged(.reference) {
                    await ReferencePhase(client: client, store: store, logger: logger).run(request)
                })
        }
        if request.phases.contains(.actions) {
            reports.append(
                await logged(.actions) {
                    await CorporateActionsPhase(client: client, store: store, logger: logger).run(request)
                })
        }
        return reports
    }

    /// Phase 5, when selected.
    public func runAfterBars(_ request: BackfillRequest) async -> [PhaseReport] {
        guard request.phases.contains(.news) else { return [] }
        return [await logged(.news) { await NewsPhase(client: client, store: store, logger: logger).run(request) }]
    }

    private func logged(_ phase: BackfillPhase, _ body: () async -> PhaseReport) async -> PhaseReport {
        logger.info("phase \(phase): started")
        let report = await body()
        if let reason = report.skippedBecause {
            logger.info("phase \(phase): skipped (\(reason))")
        } else {
            logger.info(
                "phase \(phase): \(report.fetched) fetched, \(report.skipped) already synced, \(report.changed) rows new or changed, \(report.requests) requests, \(report.failures.count) failed; \(report.detail)"
            )
        }
        return report
    }
}

/// What a metadata phase would ask for (`--dry-run`): scopes still to sync and the least requests.
public struct PhaseEstimate: Sendable, Equatable {
    public var phase: BackfillPhase
    /// Tickers (or the market) that would be fetched.
    public var scopes: Int
    /// Scopes already synced for the range.
    public var synced: Int
    /// Requests at least (list endpoints may take more pages).
    public var requests: Int
}

extension MetadataPhases {
    /// The requests each selected metadata phase would send, from the stored sync marks; no request.
    public static func estimate(_ request: BackfillRequest, store: any ReferenceStore) async throws -> [PhaseEstimate] {
        let scopes = request.allTickers ? [BarStoreSymbols.allTickers] : request.tickers
        var estimates: [PhaseEstimate] = []
        for phase in [BackfillPhase.reference, .actions, .news] where request.phases.contains(phase) {
            if phase == .news && request.allTickers { continue }
            var estimate = PhaseEstimate(phase: phase, scopes: 0, synced: 0, requests: 0)
            for scope in scopes {
                let requests = try await requestsFor(phase, scope: scope, request: request, store: store)
                if requests == 0 { estimate.synced += 1 } else { estimate.scopes += 1 }
                estimate.requests += requests
            }
            estimates.append(estimate)
        }
        return estimates
    }

    private static func requestsFor(
        _ phase: BackfillPhase, scope: String, request: BackfillRequest, store: any ReferenceStore
    ) async throws -> Int {
        switch phase {
        case .reference:
            let mark = try await store.syncState(phase: ReferencePhase.name, scope: scope)
            return PhaseContext.isSynced(mark, through: request.range.last) ? 0 : 2
        case .actions:
            let mark = try await store.syncState(phase: CorporateActionsPhase.name, scope: scope)
            let covers = mark?.first.map { $0 <= request.range.first } ?? true
            return PhaseContext.isSynced(mark, through: request.range.last) && covers ? 0 : 2
        case .news:
            let range = DayRange(request.range.first, min(request.range.last, request.today)) ?? request.range
            let mark = try await store.syncState(phase: NewsPhase.name, scope: scope)
            return NewsPhase.plan(range, done: mark).missing.count
        case .daily, .minute:
            return 0
        }
    }
}

extension MetadataPhases {
    /// The request with the former tickers of each named ticker's security added (FB for META) when
    /// their name interval overlaps the range, so the bar phases fetch the whole history of what was
    /// asked. The planner asks each name only for its own days, so this costs nothing after the rename.
    public func addingFormerTickers(to request: BackfillRequest) async -> BackfillRequest {
        guard !request.allTickers else { return request }
        var request = request
        for ticker in request.tickers {
            guard let security = try? await store.security(ticker: ticker) else { continue }
            for name in security.identity.names where !request.tickers.contains(name.ticker) {
                let overlaps =
                    (name.first.map { $0 <= request.range.last } ?? true)
                    && (name.last.map { $0 >= request.range.first } ?? true)
                guard overlaps else { continue }
                logger.info(
                    "\(ticker) traded as \(name.ticker) until \(name.last.map(\.description) ?? "now"): fetching its bars too",
                    metadata: [MetadataKey.symbol: "\(ticker)"])
                request.tickers.append(name.ticker)
            }
        }
        return request
    }
}
