import BackfillCore
import Foundation
import Polygon
import Testing

@testable import Polygon

/// The fast aggregates reader must agree with `JSONDecoder` on everything, and fail the same way.
@Suite("Aggregates fast reader")
struct AggregatesParserTests {
    func both(_ json: String) throws -> (AggregatesPage, AggregatesPage) {
        let data = Data(json.utf8)
        return (try JSONDecoder().decode(AggregatesPage.self, from: data), try AggregatesPage.parse(data, url: "u"))
    }

    func expectSame(_ a: AggregatesPage, _ b: AggregatesPage) {
        #expect(a.results == b.results)
        #expect(a.ticker == b.ticker && a.status == b.status && a.requestID == b.requestID && a.nextURL == b.nextURL)
        #expect(a.queryCount == b.queryCount && a.resultsCount == b.resultsCount && a.count == b.count)
        #expect(a.adjusted == b.adjusted)
    }

    @Test(arguments: FixtureDecodingTests.aggregateFiles + FixtureDecodingTests.files(under: "errors"))
    func agreesWithJSONDecoderOnEveryFixture(file: URL) throws {
        let data = try Data(contentsOf: file)
        guard let reference = try? JSONDecoder().decode(AggregatesPage.self, from: data) else { return }
        expectSame(reference, try AggregatesPage.parse(data, url: "u"))
    }

    @Test func numbersRoundExactlyLikeFoundation() throws {
        var rng = SplitMix64(seed: 3)
        var fields: [String] = []
        for i in 0..<2_000 {
            let price = Double(rng.next() % 10_000_000) / 10_000 * (i % 3 == 0 ? 1 : 0.001)
            fields.append(
                #"{"o":\#(price),"h":1.7976931348623157e308,"l":5e-324,"c":0.1,"v":12345678901234.5,"t":\#(i)}"#)
        }
        let (a, b) = try both(#"{"results":[\#(fields.joined(separator: ","))]}"#)
        expectSame(a, b)
    }

    @Test func toleratesUnknownNullAndEscapedFields() throws {
        let json = #"""
            {"extra":{"a":[1,{"b":null}],"c":"x\"y"},"ticker":"A\u0042C","status":"OK","request_id":7,
             "results":[{"o":1,"h":2,"l":0.5,"c":1.5,"v":10,"vw":null,"t":1700000000000.0,"n":3,"otc":true,"z":[]}],
             "next_url":null}
            """#
        let (a, b) = try both(json)
        expectSame(a, b)
        #expect(b.ticker == "ABC" && b.requestID == "7" && b.results.first?.otc == true)
    }

    @Test func missingFieldIsNamedWithItsIndex() {
        let error = #expect(throws: PolygonError.self) {
            _ = try AggregatesPage.parse(
                Data(#"{"results":[{"o":1,"h":1,"l":1,"c":1,"v":1,"t":1},{"o":1,"h":1,"l":1,"c":1,"v":1}]}"#.utf8),
                url: "u")
        }
        #expect(error?.code == .missingField && error?.message.contains("'results[1].t'") == true)
        #expect(error?.isRetryable == false)
    }

    @Test(arguments: [
        #"{"results":[{"o":1,"#, "<html>502</html>", "", #"{"results":[]} x"#, #"{"t":12a}"#,
        #"{"results":[{"t":1.5}]}"#,
    ])
    func garbageIsARetryableSyntaxErrorOrAFieldError(json: String) {
        let error = #expect(throws: PolygonError.self) { _ = try AggregatesPage.parse(Data(json.utf8), url: "u") }
        #expect(error?.code == .malformedBody || error?.code == .missingField)
    }
}
