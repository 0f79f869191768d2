import Foundation
import HummingbirdWSClient
import PostgresStore
import Storage
import Synchronization
import Testing

/// `scraper live --bus postgres://…` and `gui --bus postgres://…` as two processes on the
/// throw-away cluster: the bars one stores reach the other's live socket over LISTEN/NOTIFY.
@Suite("gui live bars over PostgreSQL NOTIFY", .serialized)
struct GUIPostgresBusTests {
    @Test func barsStoredByScraperLiveReachTheGuiSocketOverNotify() async throws {
        try await PostgresTestSupport.withDatabase { settings in
            let folder = try TestSupport.temporaryDirectory()
            let empty = folder.appendingPathComponent("gui.sqlite").path
            _ = try SQLiteBarStore(path: empty)
            // The password travels in DB_PASSWORD, never on a command line.
            let url = "postgres://\(settings.user)@\(settings.host):\(settings.port)/\(settings.database)"
            let environment = ["DB_PASSWORD": settings.password ?? ""]
            let gui = try await GUIServerProcess.start(
                database: empty, arguments: ["--bus", url], environment: environment)
            defer { gui.stop() }
            let frames = TextCollector()
            let socketURL = "ws" + gui.baseURL.dropFirst(4) + "/api/live?symbol=AAPL&timeframe=1m"
            let socket = Task { @Sendable in
                try await WebSocketClient.connect(url: socketURL, logger: TestSupport.quietLogger) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        if case .text(let text) = message { frames.append(text) }
                    }
                }
            }
            defer { socket.cancel() }
            let said = { (type: String) in frames.texts.filter { $0.contains("\"type\":\"\(type)\"") } }
            try await Self.waitUntil(seconds: 30) { !said("hello").isEmpty }

            let live = try await ScraperCLITests.run(
                [
                    "live", "--sandbox", "--tickers", "AAPL", "--duration", "4", "--sandbox-speed", "600",
                    "--sandbox-start", "2025-01-06T10:00", "--no-catch-up", "--db", "live.sqlite", "--bus", url,
                ], in: folder, environment: environment)
            #expect(live.status == 0, "\(live.all)")
            let store = try SQLiteBarStore(path: folder.appendingPathComponent("live.sqlite").path)
            let stored = try await LiveTestSupport.stored(store, "AAPL")
            #expect(!stored.isEmpty, "\(live.all)")
            // Every stored minute arrives as a bar frame of that minute (the last may still be on its way).
            try? await Self.waitUntil(seconds: 30) { said("bar").count >= stored.count }
            let times = Set(
                said("bar").compactMap { text in
                    let frame = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
                    return (frame?["t"] as? NSNumber)?.int64Value
                })
            #expect(Set(stored.map(\.windowStartMs)).isSubset(of: times), "\(times.count) of \(stored.count) minutes")
            let password = settings.password ?? ""
            #expect(password.isEmpty || !(gui.printed + live.all).contains(password))
        }
    }

    static func waitUntil(seconds: Double, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1_000))
        while !condition() {
            guard ContinuousClock.now < deadline else { throw GUITestFailure(message: "not within \(seconds) s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Texts received on a socket, read while it stays open.
final class TextCollector: Sendable {
    private let received = Mutex<[String]>([])
    var texts: [String] { received.withLock { $0 } }
    func append(_ text: String) { received.withLock { $0.append(text) } }
}
