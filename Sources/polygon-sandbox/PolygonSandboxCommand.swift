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
            "A Polygon-compatible REST server with deterministic synthetic market data, for tests and offline use.",
        discussion: """
            Clients authenticate with the key '\(SandboxConfiguration.defaultAPIKey)' (Authorization: Bearer or apiKey=).
            Faults are injected with --fault SPEC:PROBABILITY, SPEC being 429, 429-retry-after, 500, 502, 503,
            502-html, malformed-json, missing-field, empty or latency-MS; e.g. --fault 429:0.1 --fault latency-20:1.
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

    mutating func validate() throws {
        _ = try rules()
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func rules() throws -> [FaultInjector.Rule] {
        try fault.map { text in
            let parts = text.split(separator: ":")
            guard parts.count == 2, let fault = Fault(spec: String(parts[0])), let p = Double(parts[1]),
                (0...1).contains(p)
            else { throw ValidationError("--fault '\(text)' is not SPEC:PROBABILITY (e.g. 429:0.1)") }
            return FaultInjector.Rule(pathPrefix: "/", fault: fault, probability: p)
        }
    }

    func run() async throws {
        var logger = Logger(label: "polygon-sandbox")
        logger.logLevel = .info
        let configuration = SandboxConfiguration(
            host: host, port: port, apiKey: apiKey, seed: seed,
            faults: FaultInjector(rules: try rules(), seed: faultSeed), logger: logger)
        let server = SandboxServer(configuration: configuration)
        let host = self.host
        let app = server.makeApplication { port in
            print("polygon-sandbox listening on http://\(host):\(port)")
        }
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
