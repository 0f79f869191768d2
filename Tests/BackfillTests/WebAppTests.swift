import BackfillCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import Testing
import WebUI

@Suite("gui JSON API")
struct WebAppTests {
    func app() async throws -> some ApplicationProtocol {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("gui.sqlite").path
        let store = try SQLiteBarStore(path: path)
        _ = try await store.write(
            BarBatch(symbol: "AMD", timeframe: .day, bars: SQLiteBarStoreTests.bars(30)), covering: nil)
        return Application(router: WebApp(store: store).makeRouter())
    }

    @Test func barsAreServedInOrderAndBounded() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/api/bars?symbol=AMD&timeframe=1d&limit=10", method: .get) { response in
                #expect(response.status == .ok)
                let bars = try JSONDecoder().decode([Bar].self, from: Data(String(buffer: response.body).utf8))
                #expect(bars.count == 10 && bars == Array(SQLiteBarStoreTests.bars(10)))
            }
            try await client.execute(uri: "/api/inventory", method: .get) { response in
                #expect(String(buffer: response.body).contains("\"symbol\":\"AMD\""))
            }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(String(buffer: response.body).contains("<td>AMD</td>"))
            }
        }
    }

    @Test(arguments: [
        "/api/bars", "/api/bars?symbol=A%20B", "/api/bars?symbol=AMD&timeframe=7x", "/api/bars?symbol=AMD&limit=100000",
        "/api/bars?symbol=AMD&from=yesterday",
    ])
    func badInputIsA400ThatSaysWhy(uri: String) async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("\"error\""))
            }
        }
    }
}
