import BackfillCore
import Foundation
import Polygon
import Testing

/// Every WebSocket frame under ../shared/polygon-fixtures/ws decodes, with the values it carries.
@Suite("WebSocket frame decoding")
struct WebSocketFrameTests {
    static let folder = TestSupport.fixtures.appendingPathComponent("ws/stocks")
    static let serverFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    static func decode(_ name: String) throws -> [FeedMessage] {
        let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        return try FeedFrameDecoder().decode(text)
    }

    @Test func fixturesArePresent() {
        #expect(Self.serverFiles.count == 13, "ws/stocks under \(Self.folder.path)")
    }

    @Test(arguments: serverFiles)
    func everyServerFrameDecodesWithoutMalformedOrUnknownEvents(name: String) throws {
        let messages = try Self.decode(name)
        #expect(!messages.isEmpty)
        for message in messages {
            switch message {
            case .malformed(let ev, let reason): Issue.record("\(name): \(ev) malformed: \(reason)")
            case .unknown(let ev): Issue.record("\(name): unknown ev \(ev)")
            default: break
            }
        }
    }

    @Test func minuteAggregateCarriesEveryField() throws {
        let messages = try Self.decode("AM_spec_example.json")
        guard case .minuteBar(let bar) = try #require(messages.first) else {
            Issue.record("not a minute bar: \(messages)")
            return
        }
        #expect(bar.symbol == "GTE" && bar.volume == 4_110 && bar.accumulatedVolume == 9_470_157)
        #expect(bar.officialOpen == 0.4372 && bar.vwap == 0.4488 && bar.dayVWAP == 0.4352)
        #expect(bar.open == 0.4488 && bar.close == 0.4486 && bar.high == 0.4489 && bar.low == 0.4486)
        #expect(bar.averageTradeSize == 685 && bar.startMs == 1_610_144_640_000 && bar.endMs == 1_610_144_700_000)
        #expect(!bar.isOTC)
        #expect(
            bar.bar
                == Bar(
                    windowStartMs: 1_610_144_640_000, open: 0.4488, high: 0.4489, low: 0.4486, close: 0.4486,
                    volume: 4_110, vwap: 0.4488))
    }

    @Test func secondAggregateIsASecondBar() throws {
        let messages = try Self.decode("A_spec_example.json")
        guard case .secondBar(let bar) = try #require(messages.first) else {
            Issue.record("not a second bar: \(messages)")
            return
        }
        #expect(bar.symbol == "SPCE" && bar.endMs - bar.startMs == 1_000 && bar.volume == 200)
    }

    @Test func tradesWithAndWithoutConditions() throws {
        let messages = try Self.decode("T_batch_no_conditions.json")
        let trades = messages.compactMap { if case .trade(let t) = $0 { t } else { nil } }
        #expect(trades.count == 2)
        #expect(trades[0].conditions == [14, 37, 41] && trades[0].id == "72815" && trades[0].size == 1)
        #expect(trades[1].conditions.isEmpty && trades[1].exchange == 4 && trades[1].sequence == 4_009_434)
        #expect(trades[1].timestampMs == 1_651_684_192_717 && trades[1].tape == 3 && trades[1].price == 161.87)
    }

    @Test func quoteLimitBandAndImbalance() throws {
        guard case .quote(let quote) = try #require(try Self.decode("Q_spec_example.json").first),
            case .limitBand(let band) = try #require(try Self.decode("LULD_spec_example.json").first),
            case .imbalance(let noi) = try #require(try Self.decode("NOI_spec_example.json").first)
        else {
            Issue.record("wrong kinds")
            return
        }
        #expect(quote.symbol == "MSFT" && quote.bidPrice == 114.125 && quote.askPrice == 114.128)
        #expect(quote.bidSize == 100 && quote.askSize == 160 && quote.indicators == [604] && quote.condition == 0)
        #expect(band.symbol == "MSFT" && band.highPrice == 218.96 && band.lowPrice == 198.11 && band.indicators == [21])
        #expect(band.timestamp == 1_601_316_752_683_746, "kept as sent (µs in the vendor's example)")
        #expect(noi.symbol == "NTEST.Q" && noi.auctionType == "M" && noi.auctionTime == 930)
        #expect(noi.timestamp == 1_601_318_039_223_013_600 && noi.bookClearingPrice == 25.03)
        #expect(noi.imbalanceQuantity == 480 && noi.pairedQuantity == 440)
    }

    @Test(arguments: [
        ("status_connected.json", "connected", "Connected Successfully"),
        ("status_auth_success.json", "auth_success", "authenticated"),
        ("status_auth_failed.json", "auth_failed", "authentication failed"),
        ("status_subscribed.json", "success", "subscribed to: T.AAPL"),
        ("status_unsubscribed.json", "success", "unsubscribed to: T.AAPL"),
    ])
    func statusFrames(name: String, status: String, message: String) throws {
        let messages = try Self.decode(name)
        #expect(messages == [.status(FeedStatus(FeedStatus.Kind(rawValue: status), message: message))])
    }

    /// The recorded session: every server frame decodes, every client frame is what our
    /// ``FeedCommand`` would send.
    @Test func recordedSessionReplays() throws {
        let url = TestSupport.fixtures.appendingPathComponent("ws/session_stocks_trades.jsonl")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        var kinds: [String] = []
        for line in lines {
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let frame = try JSONSerialization.data(withJSONObject: try #require(object["frame"]))
            if object["dir"] as? String == "server" {
                kinds += try FeedFrameDecoder().decode(frame).map(Self.kind)
            } else {
                let command = try JSONDecoder().decode([String: String].self, from: frame)
                if command["action"] == "auth" { continue }
                let topics = try #require(FeedTopic.list(command["params"] ?? ""))
                let action = try #require(FeedCommand.Action(rawValue: command["action"] ?? ""))
                let ours = try JSONDecoder().decode(
                    [String: String].self, from: Data(FeedCommand(action, topics).json.utf8))
                #expect(ours == command)
            }
        }
        #expect(kinds == ["status", "status", "status", "T", "status", "T", "T", "status", "status"])
    }

    static func kind(_ message: FeedMessage) -> String {
        switch message {
        case .minuteBar: "AM"
        case .secondBar: "A"
        case .trade: "T"
        case .quote: "Q"
        case .limitBand: "LULD"
        case .imbalance: "NOI"
        case .status: "status"
        case .unknown(let ev): "unknown \(ev)"
        case .malformed(let ev, _): "malformed \(ev)"
        }
    }

    @Test func clientFixturesAreWhatTheClientSends() throws {
        let folder = TestSupport.fixtures.appendingPathComponent("ws/client")
        let subscribe = try String(contentsOf: folder.appendingPathComponent("subscribe.json"), encoding: .utf8)
        let unsubscribe = try String(contentsOf: folder.appendingPathComponent("unsubscribe.json"), encoding: .utf8)
        let aapl = FeedTopic(.minuteBars, "AAPL"), msft = FeedTopic(.minuteBars, "MSFT")
        #expect(
            FeedCommand(.subscribe, [msft, aapl]).json == subscribe.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(FeedCommand(.unsubscribe, [aapl]).json == unsubscribe.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
