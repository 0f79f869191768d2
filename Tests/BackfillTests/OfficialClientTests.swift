import BackfillCore
import Foundation
import Polygon
import PolygonSandbox
import Testing

/// The official Python client (`massive` 2.9.1), unchanged, against the sandbox: if Polygon's own
/// client reads our twin the way our client does, the twin is faithful and our client is not just
/// agreeing with itself.
@Suite("Official massive client against the sandbox")
struct OfficialClientTests {
    static var python: URL { TestSupport.repositoryRoot.appendingPathComponent(".venv-peers/bin/python") }
    static var script: URL { TestSupport.repositoryRoot.appendingPathComponent("scripts/peers/massive_peer.py") }

    struct PeerOutput: Decodable {
        var tickers: [String]
        var aggs: [[Double]]
        var splits: Int
        var modern_splits: [Double?]
        var dividends: Int
        var modern_dividends: [Double?]
        var news: [String]
        var details: [String?]
        var status: String
        var grouped: Int
    }

    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: python.path),
            "run scripts/peers-venv.sh first (scripts/test.sh does)"))
    func officialClientReadsTheSandboxLikeOurs() async throws {
        let market = SyntheticMarket(seed: 42)
        let security = try #require(
            market.universe.securities.first { !$0.splits.isEmpty && !$0.dividendDates.isEmpty && $0.isActive })
        let ticker = security.currentTicker
        let (peer, ours) = try await TestSupport.sandbox().withRunning { baseURL in
            let peer = try Self.runPeer(baseURL: baseURL, ticker: ticker)
            let client = TestSupport.client(baseURL: baseURL)
            let ours = (
                tickers: try await client.tickers(date: LocalDate("2025-03-03")).map(\.ticker),
                aggs: try await client.aggregates(
                    ticker: "AMD", timeframe: .minute, range: TestSupport.range("2025-01-06", "2025-01-08")
                ).bars,
                splits: try await client.splits(ticker: ticker), dividends: try await client.dividends(ticker: ticker)
            )
            return (peer, ours)
        }
        #expect(peer.tickers == ours.tickers, "all pages followed, same order")
        #expect(peer.aggs.count == ours.aggs.count && peer.aggs.count > 3 * 390)
        for (row, bar) in zip(peer.aggs, ours.aggs) {
            #expect(
                Int64(row[0]) == bar.windowStartMs && row[1] == bar.open && row[4] == bar.close && row[5] == bar.volume)
        }
        #expect(peer.splits == ours.splits.count && peer.modern_splits == ours.splits.map(\.historicalAdjustmentFactor))
        #expect(peer.dividends == ours.dividends.count && peer.dividends > 0)
        #expect(peer.modern_dividends == ours.dividends.map(\.historicalAdjustmentFactor))
        #expect(peer.news.count >= 5 && peer.details[0] == "META" && peer.details[1] == "2012-05-18")
        #expect(peer.status == "closed" && peer.grouped > 250)
    }

    static func runPeer(baseURL: String, ticker: String) throws -> PeerOutput {
        let process = Process()
        process.executableURL = python
        process.arguments = [script.path, baseURL, ticker]
        process.environment = ["MASSIVE_API_KEY": SandboxConfiguration.defaultAPIKey, "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard ChildExit.waitBlocking(process).code == 0 else {
            throw PolygonError(.badRequest, "massive_peer.py failed: \(problems.suffix(2_000))", isRetryable: false)
        }
        return try JSONDecoder().decode(PeerOutput.self, from: data)
    }
}
