import BackfillCore
import Foundation
import Ingestion
import Storage
import Testing

/// The chunks several workers agree on: planned the same whatever is already stored, named by
/// keys that round-trip.
@Suite("Shared backfill plan")
struct SharedPlanTests {
    static let request = BackfillRequest(
        tickers: ["AMD", "BRK.B"], range: TestSupport.range("2024-01-02", "2024-04-30"), timeframes: [.day, .minute],
        today: TestSupport.date("2024-04-30"))

    @Test func aChunkStoredByAnotherWorkerIsLeftOutAndTheOthersKeepTheirBoundaries() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let store = try SQLiteBarStore(path: folder.appendingPathComponent("plan.sqlite").path)
        let before = try await BackfillPlanner(store: store).planShared(Self.request).map(\.taskKey)
        #expect(before.count == 2 * (1 + 4))
        #expect(before.first == "1d AMD 2024-01-02 2024-04-30", "daily chunks sort first")
        // Another worker stored AMD's second minute chunk.
        let second = TestSupport.range("2024-02-01", "2024-03-01")
        _ = try await store.write(BarBatch(symbol: "AMD", timeframe: .minute, bars: []), covering: second)
        let after = try await BackfillPlanner(store: store).planShared(Self.request).map(\.taskKey)
        #expect(after == before.filter { $0 != "1m AMD 2024-02-01 2024-03-01" })
        // Part of a chunk stored: the chunk stays whole, where the one-process planner cuts what is
        // missing afresh (its chunks move).
        _ = try await store.write(
            BarBatch(symbol: "AMD", timeframe: .minute, bars: []),
            covering: TestSupport.range("2024-03-02", "2024-03-10"))
        #expect(try await BackfillPlanner(store: store).planShared(Self.request).map(\.taskKey) == after)
        let (items, _) = try await BackfillPlanner(store: store).plan(Self.request)
        #expect(items.contains { $0.taskKey == "1m AMD 2024-03-11 2024-04-09" })
    }

    @Test func taskKeysRoundTripAndCompleteOnlyDaysBeforeToday() throws {
        let today = TestSupport.date("2024-04-30")
        let item = try #require(WorkItem(taskKey: "1m BRK.B 2024-04-01 2024-04-30", today: today))
        #expect(item.symbol == "BRK.B" && item.timeframe == .minute && item.taskKey == "1m BRK.B 2024-04-01 2024-04-30")
        #expect(item.completes == TestSupport.range("2024-04-01", "2024-04-29"))
        #expect(WorkItem(taskKey: "1m AMD 2024-04-30 2024-04-30", today: today)?.completes == nil)
        for bad in [
            "", "1m AMD 2024-04-01", "1x AMD 2024-04-01 2024-04-30", "1m  2024-04-01 2024-04-30",
            "1m AMD 2024-04-30 2024-04-01",
        ] {
            #expect(WorkItem(taskKey: bad, today: today) == nil, "\(bad)")
        }
    }
}
