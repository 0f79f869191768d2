import BackfillCore
import Foundation
import Ingestion
import PolygonSandbox
import Storage
import Testing

/// The ledger with the reference phase's listing dates: after a delisting, sessions are `not listed`,
/// not `missing`, and a repair leaves them alone.
@Suite("Ledger and listings")
struct LedgerListingTests {
    @Test func sessionsAfterADelistingAreNotListedAndNotRepaired() async throws {
        let delisted = try #require(
            ReferencePhaseTests.universe.securities.first {
                $0.delistDate.map { $0 < ReferencePhaseTests.today && $0.year >= 2010 } == true
                    && $0.names.count == 1 && $0.listDate.adding(days: 60) < $0.delistDate!
            })
        let last = try #require(delisted.delistDate)
        let range = try #require(DayRange(last.adding(days: -6), last.adding(days: 8)))
        let (store, _) = try ReferencePhaseTests.newStore()
        let ticker = delisted.currentTicker
        _ = try await ReferencePhaseTests.withClient { client in
            let request = ReferencePhaseTests.request([ticker], range, timeframes: [.minute])
            _ = await ReferencePhaseTests.phases(client, store).runBeforeBars(request)
            return try await BackfillRunner(client: client, store: store, logger: TestSupport.quietLogger).run(request)
        }
        let listings = try await CompletenessReport.listings(store: store, symbols: [ticker])
        #expect(listings[ticker]?.last == last)
        let report = try await CompletenessReport.make(
            store: store, symbols: [ticker], range: range, listings: listings)
        let after = report.entries.filter { $0.session > last && $0.status != .holiday }
        #expect(!after.isEmpty && after.allSatisfy { $0.status == .notListed }, "\(after)")
        let before = report.entries.filter { $0.session <= last && $0.status != .holiday }
        #expect(!before.isEmpty && before.allSatisfy { $0.status == .complete && $0.source == .rest }, "\(before)")
        #expect(report.repairRanges(before: ReferencePhaseTests.today).isEmpty)
        // Without the listing, the same sessions would look missing.
        let blind = try await CompletenessReport.make(store: store, symbols: [ticker], range: range)
        #expect(blind.entries.filter { $0.session > last }.contains { $0.status == .missing })
    }
}
