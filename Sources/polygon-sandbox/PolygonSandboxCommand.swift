import ArgumentParser
import Logging
import PolygonSandbox
import ServiceLifecycle
import UnixSignals

@main
struct PolygonSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "polygon-sandbox",
        abstract:
            "A Polygon-compatible REST and WebSocket server with deterministic synthetic market data, for tests and "
            + "offline use.",
        discussion: """
            Clients authenticate with the key '\(SandboxConfiguration.defaultAPIKey)' (Authorization: Bearer or apiKey=). \
            Faults are injected with --fault SPEC:PROBABILITY, SPEC being 429, 429-retry-after, 500, 502, 503, \
            502-html, malformed-json, missing-field, empty or latency-MS; e.g. --fault 429:0.1 --fault latency-20:1.

            The WebSocket feed is at ws://HOST:PORT/stocks, like wss://socket.polygon.io/stocks: send \
            {"action":"auth","params":KEY}, then {"action":"subscribe","params":"AM.AAPL,A.*,T.MSFT"}. It streams \
            AM (minute) and A (second) bars and T trades from the same synthetic market as the REST API. By default \
            it streams the present; --ws-replay-start replays from a past New York time (2025-01-06 for 09:30 that \
            day, or 2025-01-06T04:00) at --ws-speed market seconds per real second (600 plays a minute every 0.1 s), \
            counted from when the sandbox starts. Wildcard topics (AM.*) stream the --ws-symbols tickers. \
            Feed faults apply per connection: ws-drop-messages-N (close after N data frames), ws-drop-seconds-N \
            (close N seconds after connecting) and ws-stall-messages-N (after N frames, send nothing and answer no \
            pings for 30 s, then close; N = 0 upgrades and then never greets); e.g. --fault ws-drop-seconds-60:1 \
            drops every connection each minute.
            """)

    @Option(help: "Address to bind; loopback by default.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8089

    @Option(help: "API key the sandbox accepts.")
    var apiKey = SandboxConfiguration.defaultAPIKey

    @Option(help: "Seed of the synthetic market.")
    var seed: UInt64 = 42

    @Option(help: "Fault to inject, SPEC:PROBABILITY (repeatable).")
    var fault: [String] = []

    @Option(help: "Seed of the fault injector's random choices.")
    var faultSeed: UInt64 = 7

    @Option(help: "Replay the WebSocket feed from this New York time (YYYY-MM-DD = 09:30, or YYYY-MM-DDTHH:MM).")
    var wsReplayStart: String?

    @Option(help: "WebSocket replay speed: market seconds per real second (needs --ws-replay-start).")
    var wsSpeed: Double = 1

    @Option(help: "Tickers a wildcard WebSocket subscription (AM.*) streams, comma-separated.")
    var wsSymbols: String = SandboxFeed.Configuration.defaultUniverse.joined(separator: ",")

    mutating func validate() throws {
        _ = try rules()
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        _ = try feed()
    }

    func feed() throws -> SandboxFeed.Configuration {
        var start: Int64?
        if let wsReplayStart {
            start = SandboxFeed.Configuration.replayStartMs(newYorkTime: wsReplayStart)
            guard start != nil else {
                throw ValidationError("--ws-replay-start '\(wsReplayStart)' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM")
            }
        }
        guard wsSpeed > 0, wsSpeed.isFinite else { throw ValidationError("--ws-speed must be a positive number") }
        let symbols = wsSymbols.split(separator: ",").map { String($0.filter { $0 != " " }) }
            .filter { !$0.isEmpty }
        guard !symbols.isEmpty else { throw ValidationError("--ws-symbols needs at least one ticker") }
        return SandboxFeed.Configuration(replayStartMs: start, speed: wsSpeed, universe: symbols)
    }

    func rules() throws -> [FaultInjector.Rule] {
        try fault.map { text in
            let parts = text.split(separator: ":")
            guard parts.count == 2, let fault = Fault(spec: String(parts[0])), let p = Double(parts[1]),
                (0...1).contains(p)
            else { throw ValidationError("--fault '\(text)' is not SPEC:PROBABILITY (e.g. 429:0.1)") }
            let path = fault.isWebSocket ? SandboxFeed.faultPath : "/"
            return FaultInjector.Rule(pathPrefix: path, fault: fault, probability: p)
        }
    }

    func run() async throws {
        var logger = Logger(label: "polygon-sandbox")
        logger.logLevel = .info
        let configuration = SandboxConfiguration(
            host: host, port: port, apiKey: apiKey, seed: seed,
            faults: FaultInjector(rules: try rules(), seed: faultSeed), logger: logger, feed: try feed())
        let server = SandboxServer(configuration: configuration)
        let host = self.host
        let app = server.makeApplication { port in
            print("polygon-sandbox listening on http://\(host):\(port), WebSocket feed ws://\(host):\(port)/stocks")
        }
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
