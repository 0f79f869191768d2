import BackfillCore
import Foundation
import Ingestion
import MessageBus
import Polygon
import PolygonSandbox
import Storage
import Testing

/// Live ingestion against the sandbox feed on loopback: stored bars equal REST's, re-sent minutes
/// replace, indicators continue from the backfill, every stored bar is published, and a dropped
/// connection is filled from REST without a hole or a duplicate.
@Suite("Live ingestion", .serialized)
struct LiveIngestionTests {
    static let symbols = ["AAPL", "MSFT"]

    /// The whole replayed day of each symbol from REST, fetched while the sandbox runs.
    static func restDays(_ client: RESTClient) async throws -> [String: [Bar]] {
        var days: [String: [Bar]] = [:]
        for symbol in symbols {
            days[symbol] = try await LiveTestSupport.restBars(client, symbol, fromMs: .min, toMs: .max)
        }
        return days
    }

    /// Stored bars from the first to the last stored minute equal REST's minutes over that span:
    /// no hole, nothing extra, same values.
    static func expectEqualToREST(_ stored: [Bar], _ rest: [Bar], _ symbol: String) throws {
        let first = try #require(stored.first?.windowStartMs), last = try #require(stored.last?.windowStartMs)
        let expected = rest.filter { $0.windowStartMs >= first && $0.windowStartMs <= last }
        #expect(stored.count == expected.count, "\(symbol): \(stored.count) stored, REST has \(expected.count)")
        for (mine, theirs) in zip(stored, expected) {
            #expect(mine.sameMarketValues(as: theirs), "\(symbol): stored \(mine) vs REST \(theirs)")
        }
    }

    @Test func liveBarsAreStoredAsRESTHasThemAndEachIsPublished() async throws {
        let (live, rest) = try await LiveTestSupport.withLive(symbols: Self.symbols) { live in
            try await LiveTestSupport.waitUntil { live.ingestor.statistics.stored >= 12 }
            return (live, try await Self.restDays(live.client))
        }
        let statistics = live.ingestor.statistics
        #expect(statistics.quarantined == 0 && statistics.connections == 1 && statistics.gaps == 0)
        #expect(statistics.published == statistics.stored && statistics.changed == statistics.stored)
        for symbol in Self.symbols {
            let stored = try await LiveTestSupport.stored(live.store, symbol)
            #expect(stored.count >= 5)
            try Self.expectEqualToREST(stored, try #require(rest[symbol]), symbol)
            let payloads = try live.published.payloads(symbol)
            let times = payloads.compactMap { ($0["bar"] as? [String: Any])?["t"] as? Int64 }
            #expect(times == stored.map(\.windowStartMs), "\(symbol): one message per stored bar, in order")
            for (payload, bar) in zip(payloads, stored) {
                let sent = try #require(payload["bar"] as? [String: Any])
                #expect(LiveTestSupport.same(sent["c"], bar.close) && LiveTestSupport.same(sent["v"], bar.volume))
                #expect(payload["symbol"] as? String == symbol && payload["source"] as? String == "live")
            }
            let (saved, batch) = try await LiveTestSupport.savedAndBatchEngines(live.store, symbol, over: stored)
            #expect(saved == batch, "\(symbol): the saved indicator state is the batch run over the stored bars")
            #expect(saved.lastWindowStartMs == LiveTestSupport.savedStateLastMs(stored))
        }
    }

    /// Polygon re-sends a minute with late trades: the stored row is replaced (not duplicated),
    /// counted as changed, published again as revised, and the indicators are recomputed.
    @Test func aReSentMinuteReplacesItsBarAndItsIndicators() async throws {
        let late = 1_000.0
        let (live, resentMs) = try await LiveTestSupport.withLive(symbols: Self.symbols, speed: 120) { live in
            try await LiveTestSupport.waitUntil { live.ingestor.statistics.stored >= 6 }
            // The newest minute both symbols traded in (a quiet minute may lack one of them).
            var common = Set(try await LiveTestSupport.stored(live.store, "AAPL").map(\.windowStartMs))
            common.formIntersection(try await LiveTestSupport.stored(live.store, "MSFT").map(\.windowStartMs))
            let minute = try #require(common.max())
            #expect(live.trigger.send(.init(minuteStartMs: minute, lateVolume: late)) == 1)
            try await LiveTestSupport.waitUntil { live.ingestor.statistics.revised >= 2 }
            try await LiveTestSupport.waitUntil { live.ingestor.statistics.stored >= 10 }
            return (live, minute)
        }
        let statistics = live.ingestor.statistics
        #expect(statistics.revised == 2 && statistics.late == 0)
        #expect(statistics.changed == statistics.stored, "the re-sent bars changed their rows")
        let original = SyntheticMarket(seed: 42)
        for symbol in Self.symbols {
            let stored = try await LiveTestSupport.stored(live.store, symbol)
            let times = stored.map(\.windowStartMs)
            #expect(Set(times).count == times.count && times.filter { $0 == resentMs }.count == 1)
            let bar = try #require(stored.first { $0.windowStartMs == resentMs })
            let first = try #require(original.minuteBar(symbol: symbol, minuteStartMs: resentMs))
            #expect(bar.volume == first.volume + late && bar.close == first.close)
            let revisions = try live.published.payloads(symbol).filter { $0["revised"] as? Bool == true }
            #expect(revisions.count == 1)
            let sent = try #require(revisions.first?["bar"] as? [String: Any])
            #expect(sent["t"] as? Int64 == resentMs && LiveTestSupport.same(sent["v"], bar.volume))
            let (saved, batch) = try await LiveTestSupport.savedAndBatchEngines(live.store, symbol, over: stored)
            #expect(saved == batch, "\(symbol): indicators recomputed over the re-sent minute's final bar")
        }
    }

    /// A backfill of the two previous sessions saves the indicator state; live bars continue it:
    /// the first live bar already has every indicator, and the state at the end equals a batch run
    /// over the backfilled and the live bars together.
    @Test func indicatorsContinueFromTheBackfillsState() async throws {
        let request = BackfillRequest(
            tickers: Self.symbols, range: TestSupport.range("2025-01-02", "2025-01-03"), timeframes: [.minute],
            today: TestSupport.date("2025-01-07"))
        let live = try await LiveTestSupport.withLive(
            symbols: Self.symbols,
            prepare: { store, client in
                let report = try await BackfillRunner(client: client, store: store, logger: TestSupport.quietLogger)
                    .run(request)
                #expect(report.status == .completed)
            }
        ) { live in
            try await LiveTestSupport.waitUntil { live.ingestor.statistics.stored >= 8 }
            return live
        }
        for symbol in Self.symbols {
            let stored = try await LiveTestSupport.stored(live.store, symbol)
            let liveStart = WebSocketTestSupport.replayStartMs
            #expect(stored.filter { $0.windowStartMs < liveStart }.count > 1_000, "two backfilled sessions")
            let payloads = try live.published.payloads(symbol)
            let first = try #require(payloads.first?["indicators"] as? [String: Any])
            #expect(first["sma"] is Double && first["rsi"] is Double && first["macd"] is [String: Any])
            let firstLiveMs = try #require((payloads.first?["bar"] as? [String: Any])?["t"] as? Int64)
            var batch = try IndicatorEngine()
            var atFirstLive: IndicatorEngine.Values?
            for bar in stored where bar.windowStartMs <= firstLiveMs { atFirstLive = batch.update(bar) }
            for (name, value) in [
                ("sma", atFirstLive?.sma), ("ema", atFirstLive?.ema), ("rsi", atFirstLive?.rsi),
                ("vwap", atFirstLive?.vwap),
            ] {
                #expect(
                    LiveTestSupport.same(first[name], value),
                    "\(symbol) \(name): \(first) vs \(String(describing: value))")
            }
            let (saved, final) = try await LiveTestSupport.savedAndBatchEngines(live.store, symbol, over: stored)
            #expect(saved == final)
        }
    }

    /// Joining mid-session after a backfill that ended the session before: the session's earlier
    /// minutes come from REST before the first live bar, so the day has no hole and the first live
    /// bar's indicators are those of a batch run over everything stored before it.
    @Test func theSessionBeforeTheFirstLiveBarIsCaughtUpFromREST() async throws {
        let request = BackfillRequest(
            tickers: ["AAPL"], range: TestSupport.range("2025-01-03", "2025-01-03"), timeframes: [.minute],
            today: TestSupport.date("2025-01-07"))
        let (live, rest) = try await LiveTestSupport.withLive(
            symbols: ["AAPL"], configuration: .init(catchUpSession: true),
            prepare: { store, client in
                let report = try await BackfillRunner(client: client, store: store, logger: TestSupport.quietLogger)
                    .run(request)
                #expect(report.status == .completed)
            }
        ) { live in
            try await LiveTestSupport.waitUntil { live.ingestor.statistics.received >= 4 }
            return (live, try await LiveTestSupport.restBars(live.client, "AAPL", fromMs: .min, toMs: .max))
        }
        let dayStart = EasternTime.utcMilliseconds(on: LiveTestSupport.day, minutesAfterMidnight: 0)
        let stored = try await LiveTestSupport.stored(live.store, "AAPL")
        let today = stored.filter { $0.windowStartMs >= dayStart }
        #expect(today.first?.windowStartMs == rest.first?.windowStartMs, "from the session's first minute")
        try Self.expectEqualToREST(today, rest, "AAPL")
        let payloads = try live.published.payloads("AAPL")
        let caughtUp = payloads.prefix { $0["source"] as? String == "refill" }
        #expect(caughtUp.count == today.count - live.ingestor.statistics.received)
        let firstLive = try #require(payloads.first { $0["source"] as? String == "live" })
        let firstLiveMs = try #require((firstLive["bar"] as? [String: Any])?["t"] as? Int64)
        #expect(firstLiveMs >= WebSocketTestSupport.replayStartMs)
        var batch = try IndicatorEngine()
        var atFirstLive: IndicatorEngine.Values?
        for bar in stored where bar.windowStartMs <= firstLiveMs { atFirstLive = batch.update(bar) }
        let indicators = try #require(firstLive["indicators"] as? [String: Any])
        #expect(LiveTestSupport.same(indicators["sma"], atFirstLive?.sma))
        #expect(LiveTestSupport.same(indicators["vwap"], atFirstLive?.vwap), "session VWAP over the whole morning")
        let (saved, final) = try await LiveTestSupport.savedAndBatchEngines(live.store, "AAPL", over: stored)
        #expect(saved == final)
    }
}
