import BackfillCore
import Foundation
import Polygon
import Testing

/// Every recorded aggregates response and error body under ../shared/polygon-fixtures decodes.
@Suite("Recorded Polygon fixtures")
struct FixtureDecodingTests {
    static func files(under folder: String) -> [URL] {
        let root = TestSupport.fixtures.appendingPathComponent(folder)
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        return (walker?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
    }

    static let aggregateFiles = files(under: "rest/v2/aggs") + files(under: "rest-spec-examples/v2/aggs")

    @Test func fixturesArePresent() {
        #expect(Self.aggregateFiles.count >= 6, "expected the aggregates fixtures under \(TestSupport.fixtures.path)")
        #expect(Self.files(under: "errors").count >= 6)
    }

    @Test(arguments: aggregateFiles)
    func everyAggregatesFileDecodes(file: URL) throws {
        let page = try JSONDecoder().decode(AggregatesPage.self, from: Data(contentsOf: file))
        #expect(page.status == "OK")
        #expect(!page.results.isEmpty)
        for bar in page.results {
            #expect(bar.high >= bar.low && bar.volume > 0 && bar.timestampMs > 946_684_800_000)
        }
    }

    @Test func recordedDailyBarsKeepExactValues() throws {
        let url = TestSupport.fixtures.appendingPathComponent(
            "rest/v2/aggs/ticker/AAPL/range/1/day/2005-04-01/2005-04-04.json")
        let page = try JSONDecoder().decode(AggregatesPage.self, from: Data(contentsOf: url))
        let first = try #require(page.results.first?.bar)
        #expect(first.windowStartMs == 1_112_331_600_000)
        #expect(first.open == 1.5032 && first.close == 1.4604 && first.volume == 642_646_396)
        #expect(first.vwap == 1.469 && first.transactions == 82_132)
        #expect(page.results.count == 2 && page.requestID == "12afda77aab3b1936c5fb6ef4241ae42")
    }

    @Test func specExampleCarriesTheAggregatesCursor() throws {
        let url = TestSupport.fixtures.appendingPathComponent(
            "rest-spec-examples/v2/aggs/ticker/AAPL/range/1/day/2020-01-01/2020-01-10&limit=2.json")
        let page = try JSONDecoder().decode(AggregatesPage.self, from: Data(contentsOf: url))
        #expect(page.nextURL?.contains("cursor=") == true)
        #expect(page.nextURL?.contains("apiKey") == false)
    }

    @Test func groupedAndPreviousCloseCarryTheTicker() throws {
        let url = TestSupport.fixtures.appendingPathComponent("rest/v2/aggs/ticker/AAPL/prev.json")
        let page = try JSONDecoder().decode(AggregatesPage.self, from: Data(contentsOf: url))
        #expect(page.results.first?.ticker == "AAPL")
    }

    @Test(arguments: files(under: "errors"))
    func everyErrorBodyDecodes(file: URL) throws {
        let data = try Data(contentsOf: file)
        let body = try JSONDecoder().decode(ErrorBody.self, from: data)
        if body.status == "OK" {
            let page = try JSONDecoder().decode(AggregatesPage.self, from: data)
            #expect(page.results.isEmpty, "results: null decodes as no bars")
        } else {
            #expect(body.text?.isEmpty == false, "\(file.lastPathComponent) carries its message")
        }
    }
}
