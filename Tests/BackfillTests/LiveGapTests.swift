import BackfillCore
import Foundation
import MessageBus
import Polygon
import PolygonSandbox
import Storage
import Synchronization
import Testing

@testable import Ingestion

/// A dropped feed connection is bridged from REST; bad bars are quarantined; bars that arrive
/// together share one transaction; re-sends inside one batch and beyond the horizon are handled.
@Suite("Live ingestion: gaps, validation, batching", .serialized)
struct LiveGapTests {
    static let symbols = ["AAPL", "MSFT"]

    @Test func aDroppedConnectionIsFilledFromRESTWithNoHoleAndNoDuplicate() async throws {
        let faults = FaultInjector()
        faults.script(.webSocketDrop(afterMessages: 3), pathPrefix: SandboxFeed.faultPath)
        let sessions = Mutex<[LiveSessionRecord]>([])
        let configuration = LiveIngestor.Configuration(
            catchUpSession: false, onSession: { record in sessions.withLock { $0.append(record) } })
        let (live, rest) = try await LiveTestSupport.withLive(
            symbols: Self.symbols, faults: faults,
            configureFeed: {
                $0.reconnect = RetryPolicy(maxAttempts: 5, baseDelay: 0.5, maxDelay: 0.5)
                $0.jitterSeed = 6  // a backoff of several replayed minutes (see WebSocketReconnectTests)
            },
            configuration: configuration
        ) { live in
            try await LiveTestSupport.waitUntil { live.ingestor.statistics.refilled > 0 }
            let atRefill = live.ingestor.statistics.received
            try await LiveTestSupport.waitUntil { live.ingestor.statistics.received >= atRefill + 4 }
            return (live, try await LiveIngestionTests.restDays(live.client))
        }
        let statistics = live.ingestor.statistics
        #expect(statistics.gaps == 1 && statistics.reconnects == 1 && statistics.refillFailures == 0)
        let day = LiveTestSupport.day
        let reported = sessions.withLock { $0 }
        var expected: Set<LiveSessionRecord> = []
        for symbol in Self.symbols {
            expected.insert(LiveSessionRecord(symbol: symbol, session: day, source: .live))
            expected.insert(LiveSessionRecord(symbol: symbol, session: day, source: .rest))
        }
        #expect(Set(reported) == expected && reported.count == 4, "each (symbol, session, source) once: \(reported)")
        for symbol in Self.symbols {
            let stored = try await LiveTestSupport.stored(live.store, symbol)
            try LiveIngestionTests.expectEqualToREST(stored, try #require(rest[symbol]), symbol)
            // The ledger counts live and refilled minutes alike; a live session is never complete.
            let entry = try #require(
                try await live.store.ledger(symbol: symbol, range: DayRange(day, day)!, listing: nil).first)
            #expect(entry.status == .partial && entry.source == .live && entry.received == stored.count, "\(entry)")
            let payloads = try live.published.payloads(symbol)
            let refilled = payloads.filter { $0["source"] as? String == "refill" }
            #expect(refilled.count >= 3, "\(symbol): the missed minutes and both boundary minutes came from REST")
            // Published in time order per symbol, apart from re-published boundary minutes.
            let forward = payloads.filter { $0["revised"] as? Bool == false }
                .compactMap { ($0["bar"] as? [String: Any])?["t"] as? Int64 }
            #expect(forward == forward.sorted() && Set(forward).count == forward.count)
            #expect(Set(forward) == Set(stored.map(\.windowStartMs)), "every stored minute published once, forward")
            let (saved, batch) = try await LiveTestSupport.savedAndBatchEngines(live.store, symbol, over: stored)
            #expect(saved == batch, "\(symbol): indicators saw the refilled minutes in order")
        }
    }

    /// Bars made by hand through the ingestor's event entry point, into a real SQLite file.
    static func ingest(
        _ events: [FeedEvent], configuration: LiveIngestor.Configuration = .init(catchUpSession: false)
    ) async throws
        -> (LiveIngestor, SQLiteBarStore)
    {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("live.sqlite").path
        let store = try SQLiteBarStore(path: path)
        let ingestor = LiveIngestor(
            store: store, bus: InProcessBus(), client: nil, configuration: configuration,
            logger: TestSupport.quietLogger)
        let (stream, continuation) = AsyncStream.makeStream(of: FeedEvent.self)
        for event in events { continuation.yield(event) }
        continuation.finish()
        try await ingestor.ingest(stream, symbols: ["AAPL"])
        return (ingestor, store)
    }

    static let openMs = EasternTime.utcMilliseconds(on: LiveTestSupport.day, minutesAfterMidnight: 600)

    static func aggregate(minute: Int, close: Double = 100, volume: Double = 1_000, high: Double? = nil)
        -> FeedEvent
    {
        let start = openMs + Int64(minute) * 60_000
        return .minuteBar(
            FeedAggregate(
                symbol: "AAPL", volume: volume, open: 100, high: high ?? max(100, close) + 0.5,
                low: min(100, close) - 0.5, close: close, startMs: start, endMs: start + 60_000))
    }

    @Test func badBarsAreQuarantinedWithTheirReasonAndNotStored() async throws {
        let saturday = EasternTime.utcMilliseconds(on: TestSupport.date("2025-01-04"), minutesAfterMidnight: 600)
        let events: [FeedEvent] = [
            Self.aggregate(minute: 0),
            Self.aggregate(minute: 1, close: 101, high: 100.5),  // high below the close
            .minuteBar(
                FeedAggregate(
                    symbol: "AAPL", volume: 5, open: 100, high: 101, low: 99, close: 100, startMs: saturday,
                    endMs: saturday + 60_000)),
            Self.aggregate(minute: 2, close: -1),
        ]
        let (ingestor, store) = try await Self.ingest(events)
        let statistics = ingestor.statistics
        #expect(statistics.received == 4 && statistics.stored == 1 && statistics.quarantined == 3)
        #expect(
            statistics.recentQuarantine.map(\.bar.reason) == [
                .highBelowOpenOrClose, .outsideSession, .nonPositivePrice,
            ])
        #expect(statistics.recentQuarantine.allSatisfy { $0.symbol == "AAPL" && !$0.bar.message.isEmpty })
        #expect(try await LiveTestSupport.stored(store, "AAPL").map(\.windowStartMs) == [Self.openMs])
    }

    /// A minute re-sent in the same batch is stored once (its last version); one older than the
    /// horizon is stored but leaves the indicators alone; one inside it is recomputed.
    @Test func reSendsInsideAndBeyondTheHorizon() async throws {
        var events = (0..<30).map { Self.aggregate(minute: $0, close: 100 + Double($0 % 7)) }
        events.append(Self.aggregate(minute: 29, close: 110, volume: 1_500))  // late trades for the newest minute
        events.append(Self.aggregate(minute: 2, close: 90, volume: 2_000))  // 27 minutes back: past the horizon
        events.append(Self.aggregate(minute: 20, close: 95, volume: 1_200))  // 9 minutes back: recomputed
        let publications = Mutex<[LiveBarMessage]>([])
        let configuration = LiveIngestor.Configuration(
            catchUpSession: false,
            onPublished: { publication in
                publications.withLock { $0.append(publication.message) }
            })
        let (ingestor, store) = try await Self.ingest(events, configuration: configuration)
        let statistics = ingestor.statistics
        #expect(statistics.received == 33 && statistics.revised == 2 && statistics.late == 1)
        #expect(statistics.published == 33 && statistics.quarantined == 0)
        let stored = try await LiveTestSupport.stored(store, "AAPL")
        #expect(stored.count == 30)
        #expect(stored[29].volume == 1_500 && stored[2].close == 90 && stored[20].close == 95)
        // Minute 2's revision came too late for the indicators: they keep its first version.
        var seen = stored
        seen[2] = try Self.firstVersion(of: 2)
        var batch = try IndicatorEngine()
        let values = seen.map { batch.update($0) }
        let messages = publications.withLock { $0 }
        let late = try #require(messages.first { $0.revised && $0.bar.windowStartMs == stored[2].windowStartMs })
        #expect(late.indicators == nil)
        let revised = try #require(messages.last { $0.revised && $0.bar.windowStartMs == stored[20].windowStartMs })
        #expect(revised.indicators == values[20] && revised.bar == stored[20])
        let saved = try #require(try await store.indicatorState(symbol: "AAPL", timeframe: .minute))
        let engine = try IndicatorEngine(savedState: saved.state)
        var upToSaved = try IndicatorEngine()
        for bar in seen where bar.windowStartMs <= saved.lastMs { _ = upToSaved.update(bar) }
        #expect(engine == upToSaved && saved.lastMs < stored[29].windowStartMs, "the state before the horizon")
    }

    static func firstVersion(of minute: Int) throws -> Bar {
        try #require(Self.aggregate(minute: minute, close: 100 + Double(minute % 7)).minuteBar).bar
    }

    /// Items appended while the writer is busy are taken together: that is what makes a minute's
    /// burst one transaction.
    @Test func theInboxHandsOverEverythingThatPiledUp() async throws {
        let inbox = LiveInbox(capacity: 3)
        let bars = (0..<4).compactMap { Self.aggregate(minute: $0).minuteBar }
        for bar in bars { inbox.append(.bar(bar, receivedAt: .now)) }
        let first = try #require(await inbox.take())
        #expect(first.count == 3 && inbox.dropped == 1, "bounded: the oldest is dropped and counted")
        inbox.append(.bar(bars[0], receivedAt: .now))
        inbox.finish()
        #expect(await inbox.take()?.count == 1)
        #expect(await inbox.take() == nil)
    }

    /// The payload is JSON a subscriber can read: absent indicators are null, a bar beyond the
    /// horizon has `indicators: null`.
    @Test func thePublishedPayloadIsPlainJSON() throws {
        let bar = Bar(windowStartMs: Self.openMs, open: 10.5, high: 11, low: 10, close: 10.75, volume: 1e7, vwap: nil)
        var values = IndicatorEngine.Values()
        values.sma = 0.1 + 0.2
        let messages = [
            LiveBarMessage(symbol: "BRK.B", bar: bar, indicators: values, source: .live, revised: false),
            LiveBarMessage(symbol: "BRK.B", bar: bar, indicators: nil, source: .refill, revised: true),
        ]
        let decoded = try messages.map {
            #expect($0.busMessage.topic == "bars.1m.BRK.B")
            return try #require(try JSONSerialization.jsonObject(with: Data($0.busMessage.payload)) as? [String: Any])
        }
        #expect(messages[0].json.contains(#"{"sma":"# + "\(0.1 + 0.2)" + ","), "shortest round-trip digits")
        let first = try #require(decoded[0]["indicators"] as? [String: Any])
        #expect(LiveTestSupport.same(first["sma"], 0.1 + 0.2) && first["rsi"] is NSNull && first["macd"] is NSNull)
        let sent = try #require(decoded[0]["bar"] as? [String: Any])
        #expect(
            sent["vw"] is NSNull && sent["n"] is NSNull && sent["v"] as? Double == 1e7 && sent["c"] as? Double == 10.75)
        #expect(decoded[1]["indicators"] is NSNull && decoded[1]["revised"] as? Bool == true)
        #expect(decoded[1]["source"] as? String == "refill" && decoded[0]["symbol"] as? String == "BRK.B")
    }
}
