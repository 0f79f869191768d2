import BackfillCore
import Testing

@testable import PolygonSandbox

/// The sandbox feed's pure parts: second bars and trades derived from minutes, flags, fault specs.
@Suite("WebSocket sandbox feed")
struct WebSocketSandboxTests {
    static let market = SyntheticMarket(seed: 42)
    static let day = LocalDate(year: 2025, month: 1, day: 6)!

    /// Over whole sessions: every minute's seconds reproduce its OHLCV exactly, and every second's
    /// trades its volume and prices.
    @Test(arguments: ["AAPL", "NVDA", "TpC"])
    func secondsAndTradesAddUpToEveryMinute(symbol: String) {
        let splitter = SecondBars(seed: 42)
        let minutes = Self.market.minuteBars(symbol: symbol, date: Self.day)
        #expect(minutes.count > 390)
        for minute in minutes {
            let seconds = splitter.seconds(of: minute, symbol: symbol)
            #expect(seconds == splitter.seconds(of: minute, symbol: symbol), "deterministic")
            #expect(seconds.first?.open == minute.open && seconds.last?.close == minute.close)
            #expect(seconds.map(\.high).max() == minute.high && seconds.map(\.low).min() == minute.low)
            #expect(seconds.map(\.volume).reduce(0, +) == minute.volume && seconds.allSatisfy { $0.volume >= 1 })
            let starts = seconds.map(\.windowStartMs)
            #expect(starts == starts.sorted() && Set(starts).count == starts.count)
            #expect(starts.allSatisfy { $0 >= minute.windowStartMs && $0 < minute.windowStartMs + 60_000 })
            for second in seconds {
                let trades = splitter.trades(of: second, symbol: symbol)
                #expect(trades.map(\.size).reduce(0, +) == second.volume)
                #expect(trades.allSatisfy { $0.price >= second.low && $0.price <= second.high })
                #expect(trades.last?.price == second.close)
                #expect(
                    trades.allSatisfy {
                        $0.timestampMs >= second.windowStartMs && $0.timestampMs < second.windowStartMs + 1_000
                    })
            }
        }
    }

    @Test func replayStartIsNewYorkTime() {
        let open = EasternTime.utcMilliseconds(on: Self.day, minutesAfterMidnight: 570)
        #expect(SandboxFeed.Configuration.replayStartMs(newYorkTime: "2025-01-06") == open)
        #expect(SandboxFeed.Configuration.replayStartMs(newYorkTime: "2025-01-06T09:30") == open)
        #expect(SandboxFeed.Configuration.replayStartMs(newYorkTime: "2025-01-06T04:00") == open - 330 * 60_000)
        #expect(open == 1_736_173_800_000, "14:30Z in January")
        for bad in ["", "2025-13-01", "2025-01-06T9:30", "2025-01-06T24:00", "2025-01-06T01:00", "2025-01-06T10"] {
            #expect(SandboxFeed.Configuration.replayStartMs(newYorkTime: bad) == nil, "\(bad)")
        }
    }

    @Test func webSocketFaultSpecs() {
        #expect(Fault(spec: "ws-drop-messages-5") == .webSocketDrop(afterMessages: 5))
        #expect(Fault(spec: "ws-drop-seconds-2.5") == .webSocketDropAfter(seconds: 2.5))
        #expect(Fault(spec: "ws-stall-messages-3") == .webSocketStall(afterMessages: 3, seconds: 30))
        #expect(Fault(spec: "ws-stall-messages-0") == .webSocketStall(afterMessages: 0, seconds: 30))
        #expect(Fault(spec: "ws-drop-messages-0") == nil && Fault(spec: "ws-drop-messages-1.5") == nil)
        #expect(Fault(spec: "ws-drop-seconds-x") == nil)
        #expect(Fault(spec: "ws-drop-seconds-1")?.isWebSocket == true && Fault(spec: "429")?.isWebSocket == false)
    }

    /// WebSocket rules never fire on REST paths and REST rules never on the feed.
    @Test func faultPathsKeepRESTAndFeedApart() {
        let injector = FaultInjector(rules: [
            .init(pathPrefix: "/", fault: .status(500, retryAfterSeconds: nil), probability: 1),
            .init(pathPrefix: SandboxFeed.faultPath, fault: .webSocketDrop(afterMessages: 1), probability: 1),
        ])
        #expect(injector.faults(for: "/v2/aggs/ticker/AAPL/range/1/day/a/b") == [.status(500, retryAfterSeconds: nil)])
        #expect(injector.faults(for: SandboxFeed.faultPath) == [.webSocketDrop(afterMessages: 1)])
    }
}
