import BackfillCore
import Foundation
import Polygon
import Testing

/// Frames the fixtures do not show: mixed kinds, unknown events, broken elements, decimal twins.
@Suite("WebSocket frame edge cases")
struct WebSocketFrameEdgeTests {
    let decoder = FeedFrameDecoder()

    @Test func mixedKindsKeepTheirOrderAndUnknownEventsAreSkipped() throws {
        let text = """
            [{"ev":"status","status":"success","message":"subscribed to: AM.*"},\
            {"ev":"XQ","sym":"AAPL","foo":1},\
            {"ev":"AM","sym":"AAPL","v":10,"o":1,"c":2,"h":2,"l":1,"s":60000,"e":120000},\
            {"ev":"T","sym":"AAPL","i":17,"x":4,"p":1.5,"s":3,"t":61000}]
            """
        let messages = try decoder.decode(text)
        #expect(messages.count == 4)
        #expect(messages[1] == .unknown(ev: "XQ"))
        guard case .trade(let trade) = messages[3] else {
            Issue.record("expected a trade, got \(messages[3])")
            return
        }
        #expect(trade.id == "17", "a numeric trade id is accepted as text")
    }

    @Test func decimalStringTwinsWin() throws {
        let text = """
            [{"ev":"AM","sym":"X","v":10,"dv":"10.25","av":100,"dav":"100.5","o":1,"c":1,"h":1,"l":1,"s":0,"e":60000},\
            {"ev":"T","sym":"X","i":"1","x":4,"p":1,"s":0,"ds":"0.125","t":5}]
            """
        let messages = try decoder.decode(text)
        guard case .minuteBar(let bar) = messages[0], case .trade(let trade) = messages[1] else {
            Issue.record("wrong kinds: \(messages)")
            return
        }
        #expect(bar.volume == 10.25 && bar.accumulatedVolume == 100.5 && trade.size == 0.125)
    }

    @Test func aDecimalStringAloneIsEnoughAndAnUnparsableOneFallsBack() throws {
        let messages = try decoder.decode(
            """
            [{"ev":"A","sym":"X","dv":"7.5","o":1,"c":1,"h":1,"l":1,"s":0,"e":1000},\
            {"ev":"A","sym":"X","v":3,"dv":"n/a","o":1,"c":1,"h":1,"l":1,"s":0,"e":1000}]
            """)
        #expect(messages.map { if case .secondBar(let b) = $0 { b.volume } else { -1 } } == [7.5, 3])
    }

    @Test func aBrokenElementDoesNotLoseItsNeighbours() throws {
        let messages = try decoder.decode(
            """
            [{"ev":"AM","sym":"X","v":1,"o":1,"c":1,"h":1,"l":1,"e":60000},\
            {"ev":"status","status":"success","message":"ok"}, 42, {"no_ev":true}]
            """)
        #expect(messages.count == 4)
        #expect(messages[0] == .malformed(ev: "AM", reason: "missing field 's'"))
        #expect(messages[1] == .status(FeedStatus(.success, message: "ok")))
        if case .malformed = messages[2], case .malformed = messages[3] {
        } else {
            Issue.record("non-objects and objects without ev are malformed: \(messages)")
        }
    }

    @Test func aLoneObjectIsAOneEventFrame() throws {
        #expect(
            try decoder.decode(#" {"ev":"status","status":"connected","message":"hi"}"#)
                == [.status(FeedStatus(.connected, message: "hi"))])
        #expect(try decoder.decode("[]").isEmpty)
    }

    @Test(arguments: ["", "not json", "[{\"ev\":\"AM\"", "17", "\"text\""])
    func textThatIsNotAFrameIsAClearError(text: String) {
        let error = #expect(throws: PolygonError.self) { try decoder.decode(text) }
        #expect(error?.code == .malformedBody && error?.isRetryable == false)
        #expect(error?.message.contains("not a JSON array") == true)
    }
}
