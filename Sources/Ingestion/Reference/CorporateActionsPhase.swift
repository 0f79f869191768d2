import BackfillCore
import Foundation
import Logging
import Polygon
import Storage

/// Phase 2: splits and cash dividends (`/stocks/v1/splits`, `/stocks/v1/dividends`), stored
/// idempotently by Polygon's id. Per named ticker, its whole history (two requests); for `--all`,
/// every action dated in the range (paged). Resumes like the reference phase: a scope synced as of
/// a date at or after the range's end is not asked again (actions dated up to that day were known).
public struct CorporateActionsPhase: Sendable {
    public static let name = "actions"
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
        var report = PhaseReport(phase: .actions)
        var splits = 0
        var dividends = 0
        let scopes = request.allTickers ? [BarStoreSymbols.allTickers] : request.tickers
        for scope in scopes {
            if Task.isCancelled { break }
            do {
                let previous = try await store.syncState(phase: Self.name, scope: scope)
                if PhaseContext.isSynced(previous, through: request.range.last),
                    previous?.first.map({ $0 <= request.range.first }) ?? true
                {
                    report.skipped += 1
                    continue
                }
                let (splitRows, dividendRows) = try await fetch(scope, from: request.range.first)
                let first = scope == BarStoreSymbols.allTickers ? request.range.first : nil
                report.changed += try await store.saveActions(
                    splits: splitRows, dividends: dividendRows,
                    marking: SyncMark(phase: Self.name, scope: scope, first: first, last: request.today))
                splits += splitRows.count
                dividends += dividendRows.count
                report.fetched += 1
            } catch {
                if Task.isCancelled { break }
                logger.error(
                    "actions failed", metadata: [MetadataKey.symbol: "\(scope)", MetadataKey.reason: "\(error)"])
                report.failures.append(BackfillFailure(item: "\(scope) actions", message: String(describing: error)))
            }
        }
        report.requests = context.requests
        report.detail = "\(splits) splits, \(dividends) dividends seen"
        return report
    }

    private func fetch(_ scope: String, from first: LocalDate) async throws -> ([SplitRow], [DividendRow]) {
        let splits: [SplitRecord]
        let dividends: [DividendRecord]
        if scope == BarStoreSymbols.allTickers {
            splits = try await client.list(
                SplitRecord.self, pathAndQuery: "/stocks/v1/splits?execution_date.gte=\(first)&limit=1000")
            dividends = try await client.list(
                DividendRecord.self, pathAndQuery: "/stocks/v1/dividends?ex_dividend_date.gte=\(first)&limit=1000")
        } else {
            (splits, dividends) = try await tickerActions(scope)
        }
        for split in splits where Self.row(split) == nil {
            logger.warning(
                "actions: skipping a split of \(split.ticker): execution_date '\(split.executionDate)' is not a date",
                metadata: [MetadataKey.symbol: "\(scope)"])
        }
        for dividend in dividends where Self.row(dividend) == nil {
            logger.warning(
                "actions: skipping a dividend of \(dividend.ticker): ex_dividend_date '\(dividend.exDividendDate)' is not a date",
                metadata: [MetadataKey.symbol: "\(scope)"])
        }
        return (splits.compactMap(Self.row), dividends.compactMap(Self.row))
    }

    /// One ticker's whole history from `/stocks/v1`, or from `/v3/reference` when the key's plan
    /// does not include the newer endpoints.
    private func tickerActions(_ ticker: String) async throws -> ([SplitRecord], [DividendRecord]) {
        do {
            return (try await client.splits(ticker: ticker), try await client.dividends(ticker: ticker))
        } catch let error where PhaseContext.isUnavailable(error) {
            logger.info("actions: /stocks/v1 unavailable (\(error)); using /v3/reference")
            return (
                try await client.splits(ticker: ticker, legacy: true),
                try await client.dividends(ticker: ticker, legacy: true)
            )
        }
    }

    static func row(_ record: SplitRecord) -> SplitRow? {
        guard let date = LocalDate(record.executionDate) else { return nil }
        return SplitRow(
            id: record.id, ticker: record.ticker,
            split: Split(executionDate: date, splitFrom: record.splitFrom, splitTo: record.splitTo),
            adjustmentType: record.adjustmentType, historicalFactor: record.historicalAdjustmentFactor)
    }

    static func row(_ record: DividendRecord) -> DividendRow? {
        guard let date = LocalDate(record.exDividendDate) else { return nil }
        return DividendRow(
            id: record.id, ticker: record.ticker,
            dividend: CashDividend(exDividendDate: date, cashAmount: record.cashAmount), currency: record.currency,
            declarationDate: record.declarationDate, recordDate: record.recordDate, payDate: record.payDate,
            frequency: record.frequency, distributionType: record.distributionType ?? record.dividendType,
            historicalFactor: record.historicalAdjustmentFactor)
    }
}
