import ArgumentParser
import Hummingbird
import Logging
import Storage
import WebUI

@main
struct GUICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gui", abstract: "Serve the warehouse to a browser: status page and JSON API.")

    @Option(help: "SQLite database file written by scraper.")
    var db = "./backfill.sqlite"

    @Option(help: "Address to bind. Only loopback is allowed until token authentication lands.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8080

    mutating func validate() throws {
        guard host == "127.0.0.1" || host == "::1" || host == "localhost" else {
            throw ValidationError("--host must be a loopback address (127.0.0.1 or ::1) for now")
        }
    }

    func run() async throws {
        var logger = Logger(label: "gui")
        logger.logLevel = .info
        let store = try SQLiteBarStore(path: db, logger: logger)
        let host = self.host
        let app = Application(
            router: WebApp(store: store).makeRouter(),
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in print("gui: open http://\(host):\(channel.localAddress?.port ?? 0)") },
            logger: logger)
        try await app.runService()
    }
}
