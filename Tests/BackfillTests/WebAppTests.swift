import BackfillCore
import Foundation
import Hummingbird
import HummingbirdTesting
import PolygonSandbox
import Storage
import Testing
import WebUI

/// The gui's JSON API through Hummingbird's test router, on a warehouse a real sandbox backfill filled.
@Suite("gui JSON API")
struct WebAppTests {
    static func app(_ configuration: WebApp.Configuration = .init()) async throws -> some ApplicationProtocol {
        Application(router: WebApp(store: try await GUITestData.store(), configuration: configuration).makeRouter())
    }

    /// GETs `uri` and parses the JSON body.
    static func get(_ client: some TestClientProtocol, _ uri: String) async throws -> (HTTPResponse.Status, Any) {
        try await client.execute(uri: uri, method: .get) { response in
            let body = Data(String(buffer: response.body).utf8)
            return (
                response.status,
                (try? JSONSerialization.jsonObject(with: body)) ?? String(decoding: body, as: UTF8.self)
            )
        }
    }

    static func object(_ value: Any) throws -> [String: Any] { try #require(value as? [String: Any]) }
    static func numbers(_ value: Any?) throws -> [Double] {
        try #require(value as? [Any]).map { ($0 as? NSNumber)?.doubleValue ?? .nan }
    }
    static func integers(_ value: Any?) throws -> [Int64] {
        try #require(value as? [Any]).map { ($0 as? NSNumber)?.int64Value ?? -1 }
    }

    @Test func fiveMinuteBarsAreTheStoredMinutesResampled() async throws {
        let store = try await GUITestData.store()
        let from = EasternTime.utcMilliseconds(on: TestSupport.date("2025-01-06"), minutesAfterMidnight: 0)
        let to = EasternTime.utcMilliseconds(on: TestSupport.date("2025-01-11"), minutesAfterMidnight: 0) - 1
        let minutes = try await store.bars(symbol: "AAPL", timeframe: .minute, fromMs: from, toMs: to, limit: 100_000)
        #expect(minutes.count > 4 * 390)
        try await Self.app().test(.router) { client in
            let (status, body) = try await Self.get(
                client, "/api/bars?symbol=AAPL&timeframe=5m&from=2025-01-06&to=2025-01-10")
            #expect(status == .ok)
            let json = try Self.object(body)
            let t = try Self.integers(json["t"])
            let (o, h, l, c, v) = try (
                Self.numbers(json["o"]), Self.numbers(json["h"]), Self.numbers(json["l"]), Self.numbers(json["c"]),
                Self.numbers(json["v"])
            )
            #expect(json["next"] is NSNull && t.count == (json["count"] as? NSNumber)?.intValue)
            #expect(t == t.sorted() && Set(t).count == t.count && !t.isEmpty)
            // Independently of the resampler: each bucket is the minutes in [t, t + 5 min) of one session.
            for index in t.indices {
                let inside = minutes.filter { $0.windowStartMs >= t[index] && $0.windowStartMs < t[index] + 300_000 }
                try #require(!inside.isEmpty)
                #expect(o[index] == inside.first?.open && c[index] == inside.last?.close)
                #expect(h[index] == inside.map(\.high).max() && l[index] == inside.map(\.low).min())
                #expect(abs(v[index] - inside.map(\.volume).reduce(0, +)) < 1e-6)
            }
            #expect(
                minutes.allSatisfy { bar in t.contains { bar.windowStartMs >= $0 && bar.windowStartMs < $0 + 300_000 } }
            )
        }
    }

    @Test(arguments: ChartTimeframe.allCases)
    func everyTimeframeAnswersAscendingBars(timeframe: ChartTimeframe) async throws {
        try await Self.app().test(.router) { client in
            let (status, body) = try await Self.get(
                client, "/api/bars?symbol=AAPL&timeframe=\(timeframe.rawValue)&from=2024-12-02&to=2025-02-28")
            #expect(status == .ok)
            let t = try Self.integers(try Self.object(body)["t"])
            #expect(!t.isEmpty && zip(t, t.dropFirst()).allSatisfy { $0 < $1 })
            let (_, daily) = try await Self.get(client, "/api/bars?symbol=AAPL&timeframe=1d")
            let days = try Self.integers(try Self.object(daily)["t"]).count
            let expected: ClosedRange<Int> =
                switch timeframe {
                case .day1: days...days
                case .week1: (days / 5)...(days / 4 + 2)
                case .hour4: (days * 2)...(days * 5)
                default: (days * 2)...Int.max
                }
            #expect(expected.contains(t.count), "\(t.count) bars for \(days) sessions")
        }
    }

    /// A long range comes a page at a time; following `next` gives exactly one unpaged answer.
    @Test(arguments: [ChartTimeframe.minute1, .minute15, .hour1, .week1])
    func pagesJoinToTheWholeRange(timeframe: ChartTimeframe) async throws {
        let range = "symbol=META&timeframe=\(timeframe.rawValue)&from=2024-12-02&to=2025-02-28"
        let whole = try await Self.app().test(.router) { client in
            try Self.integers(try Self.object(try await Self.get(client, "/api/bars?\(range)").1)["t"])
        }
        let small = WebApp.Configuration(maxBars: 700, maxSourceBars: 3_000)
        let paged = try await Self.app(small).test(.router) { client in
            var times: [Int64] = []
            var uri = "/api/bars?\(range)"
            for _ in 0..<500 {
                let json = try Self.object(try await Self.get(client, uri).1)
                times += try Self.integers(json["t"])
                guard let next = (json["next"] as? NSNumber)?.int64Value else { break }
                uri = "/api/bars?symbol=META&timeframe=\(timeframe.rawValue)&from=\(next)&to=2025-02-28"
            }
            return times
        }
        #expect(!whole.isEmpty && paged == whole)
    }

    @Test func tenYearsOfMinutesIsAPageNotTheWholeRange() async throws {
        try await Self.app(.init(maxBars: 5_000)).test(.router) { client in
            let (status, body) = try await Self.get(
                client, "/api/bars?symbol=AAPL&timeframe=1m&from=2015-01-01&to=2025-12-31")
            let json = try Self.object(body)
            #expect(status == .ok && (json["count"] as? NSNumber)?.intValue == 5_000 && json["next"] is NSNumber)
            let (tooMany, error) = try await Self.get(client, "/api/bars?symbol=AAPL&timeframe=1m&limit=1000000")
            #expect(tooMany == .badRequest && "\(error)".contains("limit must be an integer in 1…5000"))
        }
    }

    @Test func splitAdjustmentScalesPricesBeforeTheSplit() async throws {
        let ticker = GUITestData.splitTicker
        let split = try #require(
            GUITestData.universe.securities.first { $0.currentTicker == ticker }?.splits.first {
                GUITestData.range.contains($0.date)
            })
        try await Self.app().test(.router) { client in
            let raw = try Self.object(try await Self.get(client, "/api/bars?symbol=\(ticker)&timeframe=1d").1)
            let adjusted = try Self.object(
                try await Self.get(client, "/api/bars?symbol=\(ticker)&timeframe=1d&adjust=splits").1)
            let t = try Self.integers(raw["t"])
            let (rawClose, adjustedClose) = (try Self.numbers(raw["c"]), try Self.numbers(adjusted["c"]))
            let splitMs = EasternTime.utcMilliseconds(on: split.date, minutesAfterMidnight: 0)
            #expect(t.contains { $0 < splitMs } && t.contains { $0 >= splitMs })
            for index in t.indices {
                let factor = t[index] < splitMs ? split.from / split.to : 1
                #expect(abs(adjustedClose[index] - rawClose[index] * factor) < 1e-6 * max(1, rawClose[index]))
            }
        }
    }

    @Test func indicatorsComeFromTheEngineAndMatchAHandComputedSMA() async throws {
        try await Self.app().test(.router) { client in
            let range = "symbol=AAPL&timeframe=15m&from=2025-01-06&to=2025-01-31"
            let bars = try Self.object(try await Self.get(client, "/api/bars?\(range)").1)
            let (status, body) = try await Self.get(
                client, "/api/indicators?\(range)&sma=10&ema=9&rsi=14&macd=12,26,9&bollinger=20,2&vwap=true")
            #expect(status == .ok)
            let json = try Self.object(body)
            #expect(try Self.integers(json["t"]) == Self.integers(bars["t"]))
            let indicators = try Self.object(try #require(json["indicators"]))
            let closes = try Self.numbers(bars["c"])
            let sma = try Self.numbers(indicators["sma"])
            #expect(sma.count == closes.count && !sma[0].isNaN, "warmed up on the bars before from")
            for index in 9..<closes.count {
                let mean = closes[(index - 9)...index].reduce(0, +) / 10
                #expect(abs(sma[index] - mean) < 1e-7 * mean, "8 significant digits")
            }
            // Warmed up on the bars before `from`: a later page's values are the longer request's.
            let later = try Self.object(
                try await Self.get(
                    client,
                    "/api/indicators?symbol=AAPL&timeframe=15m&from=2025-01-21&to=2025-01-31&sma=10&macd=12,26,9"
                ).1)
            let laterT = try Self.integers(later["t"])
            let laterIndicators = try Self.object(try #require(later["indicators"]))
            let offset = try #require(try Self.integers(json["t"]).firstIndex(of: laterT[0]))
            // The SMA is exact; EMAs forget their start geometrically, so after a warm-up of five
            // times the longest period MACD agrees to well under a cent.
            for (key, tolerance) in [("sma", 1e-7), ("macd", 1e-3), ("macdSignal", 1e-3)] {
                let whole = try Self.numbers(indicators[key])
                let page = try Self.numbers(laterIndicators[key])
                #expect(!page[0].isNaN && page.count == whole.count - offset, "\(key)")
                #expect(
                    zip(page, whole[offset...]).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }, "\(key)")
            }
            let rsi = try Self.numbers(indicators["rsi"]).filter { !$0.isNaN }
            #expect(!rsi.isEmpty && rsi.allSatisfy { (0...100).contains($0) })
            for key in ["ema", "macd", "macdSignal", "macdHistogram", "bollingerUpper", "bollingerLower", "vwap"] {
                #expect(try Self.numbers(indicators[key]).contains { !$0.isNaN }, "\(key)")
            }
            let upper = try Self.numbers(indicators["bollingerUpper"])
            let lower = try Self.numbers(indicators["bollingerLower"])
            #expect(zip(upper, lower).allSatisfy { $0.isNaN || $0 >= $1 })
        }
    }

    @Test func tickerSearchFindsNamesRenamesAndDelistings() async throws {
        try await Self.app().test(.router) { client in
            let fb = try #require(try await Self.get(client, "/api/tickers?q=FB").1 as? [[String: Any]])
            let former = try #require(fb.first { $0["ticker"] as? String == "FB" })
            #expect(former["currentTicker"] as? String == "META" && former["renamed"] as? Bool == true)
            let meta = try #require(try await Self.get(client, "/api/tickers?q=META").1 as? [[String: Any]])
            #expect(meta.first?["ticker"] as? String == "META" && meta.first?["renamed"] as? Bool == false)
            let apple = try #require(
                GUITestData.universe.securities.first { $0.currentTicker == "AAPL" }?.name.split(separator: " ").first)
            let byName = try #require(
                try await Self.get(client, "/api/tickers?q=\(apple.lowercased())").1 as? [[String: Any]])
            #expect(byName.contains { $0["ticker"] as? String == "AAPL" })
            let delisted = try #require(
                try await Self.get(client, "/api/tickers?q=\(GUITestData.delistedTicker)").1 as? [[String: Any]])
            #expect(delisted.first?["delisted"] as? Bool == true && delisted.first?["delistedOn"] is String)
            for hostile in ["%25", "_", "%27%20OR%201%3D1%20--"] {
                let rows = try #require(try await Self.get(client, "/api/tickers?q=\(hostile)").1 as? [Any])
                #expect(rows.isEmpty, "q=\(hostile) must match literally")
            }
        }
    }

    @Test func actionsNewsAndLedgerAreServed() async throws {
        try await Self.app().test(.router) { client in
            let actions = try Self.object(
                try await Self.get(client, "/api/actions?symbol=\(GUITestData.splitTicker)").1)
            let splits = try #require(actions["splits"] as? [[String: Any]])
            #expect(
                splits.contains {
                    ($0["date"] as? String).flatMap(LocalDate.init).map(GUITestData.range.contains) == true
                })
            let news = try #require(try await Self.get(client, "/api/news?symbol=AAPL&limit=500").1 as? [[String: Any]])
            let times = news.compactMap { ($0["t"] as? NSNumber)?.int64Value }
            #expect(!news.isEmpty && times.count == news.count && times == times.sorted(by: >))
            #expect(news.allSatisfy { ($0["title"] as? String)?.isEmpty == false })
            let ledger = try Self.object(
                try await Self.get(client, "/api/ledger?symbol=AAPL&from=2025-01-06&to=2025-01-10").1)
            let sessions = try #require(ledger["sessions"] as? [[String: Any]])
            #expect(
                sessions.map { $0["date"] as? String } == [
                    "2025-01-06", "2025-01-07", "2025-01-08", "2025-01-09", "2025-01-10",
                ])
            #expect(sessions[3]["status"] as? String == "holiday", "the national day of mourning for President Carter")
            #expect(
                sessions[0]["status"] as? String == "complete" && (sessions[0]["regular"] as? NSNumber)?.intValue == 390
            )
            let symbols = try Self.object(try await Self.get(client, "/api/ledger").1)["symbols"] as? [String]
            #expect(Set(GUITestData.tickers).isSubset(of: Set(symbols ?? [])))
            let (tasksStatus, tasks) = try await Self.get(client, "/api/tasks")
            let states = try Self.object(tasks)["states"]
            #expect(tasksStatus == .ok && states is [Any])
        }
    }

    @Test func runsAreListedNewestFirst() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("runs.sqlite").path
        let store = try SQLiteBarStore(path: path)
        for (index, status) in ["completed", "failed"].enumerated() {
            try await store.recordRun(
                RunRecord(
                    startedAtMs: Int64(index) * 1_000, finishedAtMs: Int64(index) * 1_000 + 500, status: status,
                    tickers: ["AMD"], barsReceived: 10, barsChanged: 10, requests: 2, errors: []))
        }
        try await Application(router: WebApp(store: store).makeRouter()).test(.router) { client in
            let runs = try #require(try await Self.get(client, "/api/runs?limit=5").1 as? [[String: Any]])
            #expect(runs.map { $0["status"] as? String } == ["failed", "completed"])
        }
    }

    @Test(arguments: [
        ("/api/bars", "symbol is required"), ("/api/bars?symbol=A%20B", "symbol: ticker 'A B'"),
        ("/api/bars?symbol=AMD&timeframe=7x", "timeframe must be one of 1m, 5m"),
        ("/api/bars?symbol=AMD&adjust=sideways", "adjust must be none, splits or all"),
        ("/api/bars?symbol=AMD&from=yesterday", "from must be milliseconds"),
        ("/api/bars?symbol=AMD&from=2025-02-01&to=2025-01-01", "is after to"),
        ("/api/bars?symbol=AMD&timeframe=5m&to=9223372036854775807", "to must be milliseconds since the epoch"),
        ("/api/bars?symbol=AMD&from=-9223372036854775808", "from must be milliseconds since the epoch"),
        ("/api/ledger?symbol=AAPL&from=9999-01-01&to=9999-01-02", "to must be a date YYYY-MM-DD in 2000-01-01"),
        ("/api/bars?symbol=AMD&limit=0", "limit must be an integer"),
        ("/api/bars?symbol=AMD&extended=maybe", "extended must be true or false"),
        ("/api/indicators?symbol=AMD&sma=1", "SMA period 1 is outside"),
        ("/api/indicators?symbol=AMD&macd=26,12,9", "MACD fast period 26 must be below slow 12"),
        ("/api/indicators?symbol=AMD&bollinger=wide", "bollinger must be period,deviations"),
        ("/api/ledger?symbol=AAPL&from=2000-01-03&to=2025-01-01", "longer than 3660 days"),
        ("/api/news?symbol=AAPL&limit=100000", "limit must be an integer in 1…500"),
        ("/api/actions", "symbol is required"),
        ("/api/live?timeframe=5m", "symbol is required"),
    ])
    func badInputIsA400ThatSaysWhatIsWrong(uri: String, message: String) async throws {
        try await Self.app().test(.router) { client in
            let (status, body) = try await Self.get(client, uri)
            #expect(status == .badRequest)
            let error = try #require((body as? [String: Any])?["error"] as? String)
            #expect(error.contains(message), "\(error)")
        }
    }
}
