import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PostgresStore
import Storage
import Testing

/// `gui --db postgres://…` as a user runs it: the built binary on the throw-away cluster, its
/// monitor starting the built `scraper` against the same database. The password reaches the
/// children through their environment only, and is never printed.
@Suite("gui process on PostgreSQL", .serialized)
struct GUIPostgresProcessTests {
    @Test func guiServesAPostgreSQLWarehouseWithoutPrintingThePassword() async throws {
        try await PostgresTestSupport.withDatabase { settings in
            let password = try #require(settings.password)
            let folder = try TestSupport.temporaryDirectory()
            let url = "postgres://\(settings.user)@\(settings.host):\(settings.port)/\(settings.database)"
            let backfill = try await ScraperCLITests.run(
                ["--sandbox", "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-08", "--db", url],
                in: folder, environment: ["DB_PASSWORD": password])
            #expect(backfill.status == 0, "\(backfill.all)")

            // The password inside the URL (the worst case: it is on gui's own command line).
            let withPassword =
                "postgres://\(settings.user):\(password)@\(settings.host):\(settings.port)/\(settings.database)"
            let gui = try await GUIServerProcess.start(database: withPassword, arguments: ["--scraper", "none"])
            defer { gui.stop() }
            let (status, body) = try await Self.fetch(gui.baseURL + "/api/inventory")
            #expect(status == 200, "\(body)")
            let rows = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]] ?? []
            #expect(rows.contains { $0["symbol"] as? String == "AMD" && $0["timeframe"] as? String == "1m" }, "\(body)")
            let (metrics, text) = try await Self.fetch(gui.baseURL + "/metrics")
            #expect(metrics == 200 && !text.contains(password))
            #expect(gui.printed.contains("gui: open http://127.0.0.1:") && gui.printed.contains(url), "\(gui.printed)")
            #expect(!gui.printed.contains(password))

            // The original system's keys instead of --db.
            let fromEnvironment = try await GUIServerProcess.start(
                database: StoreChoice.defaultPath, arguments: ["--scraper", "none"],
                environment: [
                    "DB_HOST": settings.host, "DB_PORT": String(settings.port), "DB_NAME": settings.database,
                    "DB_USER": settings.user, "DB_PASSWORD": password,
                ])
            defer { fromEnvironment.stop() }
            let inventory = try await Self.fetch(fromEnvironment.baseURL + "/api/inventory").1
            #expect(try GUIPostgresWarehouseTests.canonical(inventory) == GUIPostgresWarehouseTests.canonical(body))
            #expect(!fromEnvironment.printed.contains(password))
        }
    }

    @Test(arguments: ["password", "database", "server"])
    func aWrongPasswordDatabaseOrServerIsOneLineAndAFailedExit(_ wrong: String) async throws {
        var settings = try PostgresTestSupport.adminSettings()
        if wrong == "server" { settings.port = try RedisServer.freePort() }
        let secret = "Wr0ngSecret\(UInt32.random(in: 0...UInt32.max))"
        let url =
            wrong == "database"
            ? "postgres://\(settings.user)@\(settings.host):\(settings.port)/no_such_warehouse"
            : "postgres://\(settings.user):\(secret)@\(settings.host):\(settings.port)/\(settings.database)"
        let (code, printed) = try await GUIServerProcess.runToExit(
            ["--db", url, "--port", "0"],
            environment: ["PATH": "/usr/bin:/bin", "DB_PASSWORD": wrong == "password" ? "" : settings.password ?? ""])
        #expect(code != nil && code != 0, "\(printed)")
        let errors = printed.split(separator: "\n").filter { $0.hasPrefix("error:") }
        let expected =
            [
                "password":
                    "error: PostgreSQL at \(settings.host):\(settings.port) rejected user '\(settings.user)' (wrong password",
                "database":
                    "error: database 'no_such_warehouse' does not exist on PostgreSQL at \(settings.host):\(settings.port)",
                "server": "error: cannot reach PostgreSQL at \(settings.host):\(settings.port) (connection refused)",
            ][wrong] ?? ""
        #expect(errors.count == 1 && errors.first?.hasPrefix(expected) == true, "\(printed)")
        #expect(!printed.contains(secret) && !printed.contains("gui: open"))
        if let real = settings.password { #expect(!printed.contains(real)) }
    }

    /// The monitor's backfill on a PostgreSQL gui: the child gets `--db` without the password (its
    /// command line, visible in `ps`, is checked in /proc while it runs), finds the password in its
    /// environment, and stores into the gui's database.
    @Test func theMonitorRunsABackfillIntoTheSamePostgreSQLDatabase() async throws {
        try await PostgresTestSupport.withDatabase { settings in
            let password = try #require(settings.password)
            let url = "postgres://\(settings.user)@\(settings.host):\(settings.port)/\(settings.database)"
            let withPassword =
                "postgres://\(settings.user):\(password)@\(settings.host):\(settings.port)/\(settings.database)"
            let gui = try await GUIServerProcess.start(
                database: withPassword, arguments: ["--scraper", ScraperCLITests.executable.path])
            defer { gui.stop() }
            let (started, answer) = try await Self.fetch(
                gui.baseURL + "/api/backfill", post: #"{"tickers":"AMD","years":1,"sandbox":true,"news":false}"#)
            #expect(started == 200, "\(answer)")
            let arguments = try Self.status(answer)["arguments"] as? [String] ?? []
            #expect(arguments.contains(url) && !arguments.joined(separator: " ").contains(password), "\(arguments)")

            // The running child as `ps` shows it: no password on its command line, the password in its environment.
            let child = try await Self.child(of: gui.process.processIdentifier)
            #expect(child.commandLine.contains(url) && !child.commandLine.contains(password), "\(child.commandLine)")
            #expect(child.environment.contains("DB_PASSWORD=\(password)"))

            let done = try await Self.finished(gui.baseURL)
            #expect((done["exitCode"] as? NSNumber)?.intValue == 0, "\(done["log"] ?? "")")
            let (_, runs) = try await Self.fetch(gui.baseURL + "/api/runs")
            #expect(runs.contains("\"AMD\"") && runs.contains("\"completed\""), "\(runs)")
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { store in
                let inventory = try await store.inventory()
                #expect(inventory.contains { $0.symbol == "AMD" && $0.timeframe == "1d" && $0.bars > 200 })
            }

            // The heatmap's Repair button: `scraper repair` on the same database fills a knocked-out session.
            let session = "2026-06-03"
            try await PostgresReadCommandsTests.knockOut(day: session, ticker: "AMD", in: settings)
            let gaps = "/api/gaps?symbol=AMD&from=2026-06-01&to=2026-06-05"
            #expect(try await Self.fetch(gui.baseURL + gaps).1.contains(#""date":"\#(session)""#))
            let (repairing, repair) = try await Self.fetch(
                gui.baseURL + "/api/repair",
                post: #"{"symbol":"AMD","from":"2026-06-01","to":"2026-06-05","sandbox":true}"#)
            #expect(repairing == 200, "\(repair)")
            let repairArguments = try Self.status(repair)["arguments"] as? [String] ?? []
            #expect(repairArguments.first == "repair" && repairArguments.contains(url), "\(repairArguments)")
            let repaired = try await Self.finished(gui.baseURL)
            #expect((repaired["exitCode"] as? NSNumber)?.intValue == 0, "\(repaired["log"] ?? "")")
            #expect(
                "\(repaired["log"] ?? "")".contains("Repairing 1 sessions of 1 tickers"), "\(repaired["log"] ?? "")")
            let after = try Self.status(try await Self.fetch(gui.baseURL + gaps).1)
            #expect((after["sessions"] as? [Any])?.isEmpty == true, "\(after)")

            let (_, status) = try await Self.fetch(gui.baseURL + "/api/backfill")
            #expect(!status.contains(password) && !gui.printed.contains(password))
        }
    }

    /// The command line and environment of the process `parent` started (waiting up to 30 s for it).
    static func child(of parent: pid_t) async throws -> (commandLine: String, environment: [String]) {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            for pid in entries.compactMap(Int32.init) {
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                    let close = stat.lastIndex(of: ")"),
                    stat[stat.index(after: close)...].split(separator: " ").dropFirst().first == "\(parent)",
                    let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                    let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
                else { continue }
                let words = { (data: Data) in data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) } }
                return (words(commandLine).joined(separator: " "), words(environment))
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw GUITestFailure(message: "no child of \(parent) within 30 s")
    }

    /// Reads `/api/backfill` until the run ends (or 180 s pass).
    static func finished(_ baseURL: String) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline {
            let status = try Self.status(try await Self.fetch(baseURL + "/api/backfill").1)
            if status["running"] as? Bool == false { return status }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw GUITestFailure(message: "the backfill did not finish within 180 s")
    }

    static func status(_ body: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }

    /// GET `url`, or POST `post` as JSON; the status code and the body.
    static func fetch(_ url: String, post: String? = nil) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        if let post {
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: post))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 24)
        return (Int(response.status.code), String(buffer: body))
    }
}
