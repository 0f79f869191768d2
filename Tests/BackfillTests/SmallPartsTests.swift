import BackfillCore
import Ingestion
import MessageBus
import Polygon
import PolygonSandbox
import Testing

@Suite("In-process bus")
struct InProcessBusTests {
    @Test func deliversByPrefixAndDropsOldestWhenFull() async {
        let bus = InProcessBus()
        let all = bus.subscribe(topicPrefix: "bars.", bufferSize: 3)
        let amd = bus.subscribe(topicPrefix: "bars.1m.AMD", bufferSize: 10)
        for i in 0..<5 { await bus.publish(BusMessage(topic: "bars.1m.AMD", text: "\(i)")) }
        await bus.publish(BusMessage(topic: "backfill.progress", text: "p"))
        await bus.publish(BusMessage(topic: "bars.1m.NVDA", text: "n"))
        var seen: [String] = []
        for await message in all {
            seen.append(message.text)
            if seen.count == 3 { break }
        }
        #expect(seen == ["3", "4", "n"], "a slow subscriber keeps the newest messages")
        var amdSeen: [String] = []
        for await message in amd {
            amdSeen.append(message.text)
            if amdSeen.count == 5 { break }
        }
        #expect(amdSeen == ["0", "1", "2", "3", "4"])
    }
}

@Suite(".env and settings")
struct SettingsTests {
    @Test func parsesTheOriginalSystemsFile() {
        let text = """
            # Polygon
            POLYGON_API_KEY=abc123
            export DB_HOST = localhost
            DB_PASSWORD="p@ss word"
            REDIS_PORT='6380'
            DEBUG_CPU=1 # diagnostics
            not a line
            """
        let (values, bad) = DotEnv.parse(text)
        #expect(values["POLYGON_API_KEY"] == "abc123" && values["DB_HOST"] == "localhost")
        #expect(values["DB_PASSWORD"] == "p@ss word" && values["REDIS_PORT"] == "6380" && values["DEBUG_CPU"] == "1")
        #expect(bad == [7])
    }

    @Test func environmentWinsOverDotEnvAndMassiveKeyIsAccepted() {
        let both = SettingsSource(environment: ["POLYGON_API_KEY": "env"], dotEnv: ["POLYGON_API_KEY": "file"])
        #expect(both.apiKey == "env")
        #expect(SettingsSource(environment: [:], dotEnv: ["MASSIVE_API_KEY": "m"]).apiKey == "m")
        #expect(SettingsSource(environment: ["POLYGON_API_KEY": ""]).apiKey == nil)
        #expect(SettingsSource(environment: [:]).baseURL == "https://api.polygon.io")
    }
}

@Suite("Synthetic market")
struct SyntheticMarketTests {
    let market = SyntheticMarket(seed: 42)

    func sessions(_ symbol: String, _ range: DayRange) -> [(SessionHours, [Bar])] {
        var result: [(SessionHours, [Bar])] = []
        market.forEachSession(ticker: symbol, in: range) { _, session, minutes in
            result.append((session, minutes))
        }
        return result
    }

    @Test func barsAreSaneAndInsideTheExtendedSession() {
        for (session, bars) in sessions("AMD", TestSupport.range("2025-03-03", "2025-03-14")) {
            #expect(!session.date.isWeekend)
            #expect(bars.count > 390 && bars.count <= 960)
            for bar in bars {
                #expect(session.isExtended(minuteStartingAt: bar.windowStartMs))
                #expect(bar.high >= max(bar.open, bar.close) && bar.low <= min(bar.open, bar.close) && bar.low > 0)
                #expect(bar.volume > 0 && bar.vwap! >= bar.low && bar.vwap! <= bar.high)
            }
        }
    }

    @Test func sameSeedSameBarsWhateverTheRangeAsked() {
        let wide = sessions("NVDA", TestSupport.range("2025-01-01", "2025-01-31"))
        let narrow = sessions("NVDA", TestSupport.range("2025-01-15", "2025-01-16"))
        let slice = wide.filter { TestSupport.range("2025-01-15", "2025-01-16").contains($0.0.date) }
        #expect(narrow.map(\.1) == slice.map(\.1))
        #expect(
            sessions("NVDA", TestSupport.range("2025-01-15", "2025-01-15")).first?.1
                != sessions("AMD", TestSupport.range("2025-01-15", "2025-01-15")).first?.1)
    }

    @Test func dailyBarAggregatesTheRegularSession() throws {
        let (session, minutes) = try #require(sessions("TSLA", TestSupport.range("2025-02-03", "2025-02-03")).first)
        let daily = try #require(market.dailyBar(from: minutes, session: session))
        let regular = minutes.filter { session.isRegular(minuteStartingAt: $0.windowStartMs) }
        #expect(daily.open == regular.first?.open && daily.close == regular.last?.close)
        #expect(daily.high == regular.map(\.high).max() && daily.low == regular.map(\.low).min())
        #expect(daily.volume == regular.map(\.volume).reduce(0, +))
    }
}

@Suite("Top tickers by dollar volume")
struct TopTickersTests {
    @Test func ranksByCloseTimesVolumeAndSkipsJunk() {
        func bar(_ ticker: String?, _ close: Double, _ volume: Double) -> AggregateBar {
            AggregateBar(
                ticker: ticker, open: close, high: close, low: close, close: close, volume: volume, timestampMs: 0)
        }
        let bars = [
            bar("AAA", 10, 1_000), bar("BBB", 100, 1_000), bar("CCC", 1, 1_000_000), bar(nil, 1_000, 1_000),
            bar("BAD TICKER", 1_000, 1_000), bar("DDD", 0, 1_000_000), bar("EEE", 100, 1_000),
        ]
        #expect(TopTickers.rank(bars, limit: 3) == ["CCC", "BBB", "EEE"])
        #expect(TopTickers.rank(bars, limit: 10) == ["CCC", "BBB", "EEE", "AAA"])
        #expect(TopTickers.rank([], limit: 5).isEmpty)
    }
}
