import BackfillCore
import Foundation
import Logging
import Polygon
import Storage

/// Phase 1: who the tickers are. For named tickers: ticker details (identity, list and delist
/// dates) and ticker events (renames), stored as one security with point-in-time names, merging a
/// renamed ticker's bars into the surviving security. For `--all`: the active and delisted ticker
/// lists, grouped by composite FIGI. Resumes: a scope synced as of a date at or after the range's
/// end is not asked again.
public struct ReferencePhase: Sendable {
    public static let name = "reference"
    public let client: RESTClient
    public let store: any ReferenceStore
    public let logger: Logger

    public init(client: RESTClient, store: any ReferenceStore, logger: Logger) {
        self.client = client
        self.store = store
        self.logger = logger
    }

    public func run(_ request: BackfillRequest) async -> PhaseReport {
        let context = PhaseContext(client: client)
        var report = PhaseReport(phase: .reference)
        var merged = 0
        var delisted = 0
        let scopes = request.allTickers ? [BarStoreSymbols.allTickers] : request.tickers
        var named: Set<String> = []  // names of the securities stored by this run (FB's answer covers META)
        for scope in scopes {
            if Task.isCancelled { break }
            do {
                guard let saved = try await sync(scope, request: request, alreadyNamed: named) else {
                    report.skipped += 1
                    continue
                }
                for (identity, outcome) in saved {
                    merged += outcome.merged
                    named.formUnion(identity.names.map(\.ticker))
                    if outcome.changed { report.changed += 1 }
                    if !identity.active { delisted += 1 }
                    if outcome.merged > 0 {
                        logger.info(
                            "reference: merged \(identity.names.map(\.ticker).joined(separator: " → ")) into one security (\(outcome.movedBars) bars moved)",
                            metadata: [MetadataKey.symbol: "\(scope)"])
                    }
                }
                report.fetched += 1
            } catch {
                if Task.isCancelled { break }
                logger.error(
                    "reference failed", metadata: [MetadataKey.symbol: "\(scope)", MetadataKey.reason: "\(error)"])
                report.failures.append(BackfillFailure(item: "\(scope) reference", message: String(describing: error)))
            }
        }
        report.requests = context.requests
        report.detail = "\(merged) renamed securities merged, \(delisted) delisted"
        return report
    }

    /// Fetches and stores one scope with its sync mark; nil when nothing needed asking (synced for
    /// this range, or a name of a security this run already stored: FB's answer covers META).
    private func sync(_ scope: String, request: BackfillRequest, alreadyNamed: Set<String>) async throws
        -> [(SecurityIdentity, IdentityOutcome)]?
    {
        let mark = SyncMark(phase: Self.name, scope: scope, last: request.today)
        if alreadyNamed.contains(scope) {
            try await store.saveSyncState(mark)
            return nil
        }
        let previous = try await store.syncState(phase: Self.name, scope: scope)
        if PhaseContext.isSynced(previous, through: request.range.last) { return nil }
        let identities =
            scope == BarStoreSymbols.allTickers
            ? try await marketIdentities() : try await identity(of: scope).map { [$0] } ?? []
        if identities.isEmpty {
            logger.info("reference: Polygon does not know \(scope)", metadata: [MetadataKey.symbol: "\(scope)"])
        }
        let outcomes = try await store.saveSecurities(identities, marking: mark)
        return Array(zip(identities, outcomes))
    }

    /// Details and renames of one ticker; nil when Polygon does not know it.
    func identity(of ticker: String) async throws -> SecurityIdentity? {
        let details: TickerRecord
        do {
            details = try await client.tickerDetails(ticker)
        } catch let error where PhaseContext.isNotFound(error) {
            return nil
        }
        let delist = details.delistedUTC.flatMap(ISOTime.milliseconds).map { EasternTime.date(containing: $0 - 1) }
        let listDate = details.listDate.flatMap { LocalDate($0) }
        var names: [TickerName] = []
        do {
            let events = try await client.tickerEvents(details.compositeFIGI ?? ticker)
            names = Self.names(from: events, listDate: listDate, delistDate: delist)
        } catch let error where PhaseContext.isUnavailable(error) {
            // Ticker events are not on every plan: without them the ticker is its own only name.
            logger.warning(
                "reference: no ticker events for \(ticker) (\(error)); renames of it are not linked",
                metadata: [MetadataKey.symbol: "\(ticker)"])
            names = []
        }
        if !names.contains(where: { $0.ticker == ticker }) {
            names = names.isEmpty ? [TickerName(ticker: ticker, first: listDate, last: delist)] : names
        }
        return SecurityIdentity(
            compositeFIGI: details.compositeFIGI, shareClassFIGI: details.shareClassFIGI, cik: details.cik,
            name: details.name, type: details.type, primaryExchange: details.primaryExchange,
            active: details.active ?? (delist == nil), listDate: listDate, delistDate: delist, names: names)
    }

    /// Ticker-change events (newest first) as name intervals, oldest first: each name runs to the day
    /// before the next one starts; the last to the delisting, if any.
    static func names(from events: TickerEvents, listDate: LocalDate?, delistDate: LocalDate?) -> [TickerName] {
        let changes = events.events.compactMap { event -> (String, LocalDate)? in
            guard event.type == "ticker_change", let ticker = event.tickerChange?.ticker,
                let date = LocalDate(event.date)
            else { return nil }
            return (ticker, date)
        }.sorted { $0.1 < $1.1 }
        return changes.enumerated().map { index, change in
            let next = index + 1 < changes.count ? changes[index + 1].1.adding(days: -1) : delistDate
            let first = index == 0 ? min(change.1, listDate ?? change.1) : change.1
            return TickerName(ticker: change.0, first: first, last: next)
        }
    }

    /// Every active and delisted ticker, one identity per composite FIGI (a FIGI under two tickers
    /// is a rename: the delisted name first).
    func marketIdentities() async throws -> [SecurityIdentity] {
        let active = try await client.tickers(active: true)
        let inactive = try await client.tickers(active: false)
        var byKey: [String: [TickerRecord]] = [:]
        var order: [String] = []
        for record in inactive + active {
            let key = record.compositeFIGI ?? "ticker:\(record.ticker)"
            if byKey[key] == nil { order.append(key) }
            byKey[key, default: []].append(record)
        }
        return order.compactMap { key -> SecurityIdentity? in
            guard let records = byKey[key], let current = records.last else { return nil }
            let names = records.map { record in
                TickerName(
                    ticker: record.ticker, first: nil,
                    last: record.delistedUTC.flatMap(ISOTime.milliseconds).map { EasternTime.date(containing: $0 - 1) })
            }
            let delist = current.active == false ? names.last?.last : nil
            var dated: [TickerName] = []
            for (index, name) in names.enumerated() {
                var copy = name
                if index > 0 { copy.first = dated[index - 1].last?.adding(days: 1) }
                if index == names.count - 1 { copy.last = delist }
                dated.append(copy)
            }
            return SecurityIdentity(
                compositeFIGI: current.compositeFIGI, shareClassFIGI: current.shareClassFIGI, cik: current.cik,
                name: current.name, type: current.type, primaryExchange: current.primaryExchange,
                active: current.active ?? true, delistDate: delist, names: dated)
        }
    }
}
