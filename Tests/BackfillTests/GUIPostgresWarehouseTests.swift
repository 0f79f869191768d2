import BackfillCore
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresStore
import Storage
import Testing
import WebUI

/// The gui's JSON API on a PostgreSQL warehouse: every answer the same as on a SQLite warehouse
/// filled by the same sandbox backfill (the same JSON; only the key order of objects that
/// `JSONEncoder` writes may differ, as it does between two requests to one store).
@Suite("gui on a PostgreSQL warehouse")
struct GUIPostgresWarehouseTests {
    /// What the chart page, the ticker search, the gaps view and the monitor ask for.
    static var uris: [String] {
        let (split, gone) = (GUITestData.splitTicker, GUITestData.delistedTicker)
        return [
            "/api/inventory",
            "/api/bars?symbol=AAPL&timeframe=1m&from=2025-01-06&to=2025-01-10",
            "/api/bars?symbol=AAPL&timeframe=5m&from=2024-12-02&to=2025-02-28",
            "/api/bars?symbol=META&timeframe=1d&from=2024-12-02&to=2025-02-28",
            "/api/bars?symbol=META&timeframe=1h&from=2024-12-02&to=2025-02-28&extended=false",
            "/api/bars?symbol=\(split)&timeframe=1d&adjust=splits",
            "/api/bars?symbol=\(split)&timeframe=1w&adjust=all&from=2024-12-02&to=2025-02-28",
            "/api/bars?symbol=AAPL&timeframe=1m&limit=500",
            "/api/indicators?symbol=AAPL&timeframe=15m&from=2025-01-21&to=2025-01-31&sma=10&macd=12,26,9&vwap=true",
            "/api/tickers?q=A", "/api/tickers?q=FB", "/api/tickers?q=meta", "/api/tickers?q=\(gone)",
            "/api/tickers?q=%25",
            "/api/actions?symbol=\(split)", "/api/news?symbol=AAPL&limit=500",
            "/api/ledger", "/api/ledger?symbol=AAPL&from=2024-12-02&to=2025-02-28", "/api/ledger?symbol=META",
            "/api/gaps?symbol=AAPL&from=2024-12-02&to=2025-02-28",
            "/api/gaps?symbol=META&from=2025-01-06&to=2025-01-10&session=2025-01-08",
            "/api/runs", "/api/runs?limit=1", "/api/tasks",
        ]
    }

    @Test func theAPIAnswersOnPostgreSQLAsOnSQLite() async throws {
        let sqlite = try await Self.answers(try await GUITestData.store())
        let postgres = try await PostgresTestSupport.withStore { store in
            try await GUITestData.fill(store)
            return try await Self.answers(store)
        }
        for uri in Self.uris {
            let (expected, answered) = (try #require(sqlite[uri]), try #require(postgres[uri]))
            #expect(answered.status == .ok && expected.status == .ok, "\(uri): \(answered.body.prefix(300))")
            let (canonical, reference) = (try Self.canonical(answered.body), try Self.canonical(expected.body))
            #expect(canonical == reference, "\(uri) differs: \(Self.firstDifference(canonical, reference))")
        }
        // The comparison is of a filled warehouse, not of two empty answers.
        let minutes = try JSONSerialization.jsonObject(with: Data(try #require(postgres[Self.uris[1]]).body.utf8))
        #expect(((minutes as? [String: Any])?["t"] as? [Any])?.count ?? 0 > 4 * 390, "a week of AAPL minutes")
        #expect(try #require(postgres["/api/runs"]).body.contains("\"completed\""))
        #expect(try #require(postgres["/api/tickers?q=FB"]).body.contains("\"META\""))
    }

    /// Each URI's status and body from a web app on `store`.
    static func answers(_ store: any WarehouseStore) async throws -> [String: (
        status: HTTPResponse.Status, body: String
    )] {
        try await Application(router: WebApp(store: store).makeRouter()).test(.router) { client in
            var answers: [String: (status: HTTPResponse.Status, body: String)] = [:]
            for uri in uris {
                answers[uri] = try await client.execute(uri: uri, method: .get) { ($0.status, String(buffer: $0.body)) }
            }
            return answers
        }
    }

    /// `json` with its objects' keys sorted.
    static func canonical(_ json: String) throws -> String {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    /// Where two texts part, with some context, for a failure message.
    static func firstDifference(_ a: String, _ b: String) -> String {
        let common = zip(a, b).prefix { $0 == $1 }.count
        return
            "at \(common): '\(a.dropFirst(max(0, common - 40)).prefix(120))' vs '\(b.dropFirst(max(0, common - 40)).prefix(120))'"
    }
}
