import BackfillCore
import Foundation
import GRDB
import PolygonSandbox
import Testing

/// The `scraper` executable as a user runs it: a real process, real signals, a real file.
@Suite("scraper command line", .serialized)
struct ScraperCLITests {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var all: String { stdout + stderr }
    }

    static var executable: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("scraper")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return TestSupport.repositoryRoot.appendingPathComponent(".build/debug/scraper")
    }

    /// Starts `scraper` in `directory` with a clean environment (no key unless given).
    static func start(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws
        -> (Process, URL, URL)
    {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path].merging(environment) { $1 }
        let out = directory.appendingPathComponent("stdout-\(UUID().uuidString).txt")
        let err = directory.appendingPathComponent("stderr-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        return (process, out, err)
    }

    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) async throws
        -> Outcome
    {
        let (process, out, err) = try start(arguments, in: directory, environment: environment)
        // A child that hangs fails its test with what it printed, instead of stalling the suite.
        let exit = try await ChildExit.wait(process)
        if exit == nil {
            let tail = (try? String(contentsOf: err, encoding: .utf8))?.suffix(2_000) ?? ""
            Issue.record("scraper \(arguments.joined(separator: " ")) ran over 300 s and was killed: \(tail)")
        }
        return Outcome(
            status: exit?.code ?? -1, stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: try String(contentsOf: err, encoding: .utf8))
    }

    @Test func helpDocumentsEveryFlag() async throws {
        let outcome = try await Self.run(["--help"], in: try TestSupport.temporaryDirectory())
        #expect(outcome.status == 0)
        for flag in [
            "--tickers", "--years", "--flatfiles", "--all", "--limit", "--skip-minute", "--debug", "--db",
            "--sandbox", "--base-url", "--rate-limit", "--from", "--to", "--concurrency",
        ] {
            #expect(outcome.all.contains(flag), "help mentions \(flag)")
        }
    }

    @Test func calendarSubcommandTakesItsOwnDates() async throws {
        let outcome = try await Self.run(
            ["calendar", "--from", "2024-11-27", "--to", "2024-12-02"], in: try TestSupport.temporaryDirectory())
        #expect(outcome.status == 0)
        #expect(
            outcome.stdout.split(separator: "\n") == [
                "date,open_utc,close_utc,early_close",
                "2024-11-27,2024-11-27T14:30:00Z,2024-11-27T21:00:00Z,0",
                "2024-11-29,2024-11-29T14:30:00Z,2024-11-29T18:00:00Z,1",
                "2024-12-02,2024-12-02T14:30:00Z,2024-12-02T21:00:00Z,0",
            ])
    }

    @Test func indicatorsSubcommandReadsAFileAndNamesBadLines() async throws {
        let folder = try TestSupport.temporaryDirectory()
        var rows = ["symbol,t,o,h,l,c,v"]
        for i in 0..<40 {
            rows.append("AMD,\(1_700_000_000_000 + i * 60_000),\(100 + i),\(101 + i),\(99 + i),\(100 + i),1000")
        }
        try rows.joined(separator: "\n").write(
            to: folder.appendingPathComponent("bars.csv"), atomically: true, encoding: .utf8)
        let good = try await Self.run(["indicators", "bars.csv"], in: folder)
        #expect(good.status == 0, "\(good.all)")
        let lines = good.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("symbol,t,sma20,ema20,rsi14,macd") == true && lines.count == 41)
        #expect(lines[19].split(separator: ",", omittingEmptySubsequences: false)[2] == "", "SMA20 warms up on bar 20")
        #expect(lines[20].split(separator: ",", omittingEmptySubsequences: false)[2] == "109.5")
        try "symbol,t,o,h,l,c,v\nAMD,1,1,1,1,x,1\n".write(
            to: folder.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        let bad = try await Self.run(["indicators", "bad.csv"], in: folder)
        #expect(bad.status != 0 && bad.stderr.contains("line 2"))
    }

    @Test func dryRunPrintsThePlanAndFetchesNothing() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let outcome = try await Self.run(
            ["--tickers", "AMD,NVDA", "--from", "2025-01-02", "--to", "2025-03-31", "--dry-run", "--rate-limit", "5"],
            in: folder)
        #expect(outcome.status == 0, "\(outcome.all)")
        #expect(outcome.stdout.contains("1m chunks   6") && outcome.stdout.contains("1d chunks   2"))
        #expect(outcome.stdout.contains("8 requests") && outcome.stdout.contains("at 5 requests/minute"))
        #expect(try TestSupport.contents(ofDatabase: folder.appendingPathComponent("backfill.sqlite").path).isEmpty)
    }

    @Test func statusShowsWhatIsStoredAndTheRuns() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let missing = try await Self.run(["status"], in: folder)
        #expect(missing.status != 0 && missing.stderr.contains("no database"))
        let arguments = ["--sandbox", "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-08"]
        #expect(try await Self.run(arguments, in: folder).status == 0)
        let status = try await Self.run(["status"], in: folder)
        #expect(status.status == 0)
        #expect(status.stdout.contains("AMD        1d   3 "))
        #expect(status.stdout.contains("2025-01-06…2025-01-08"))
        #expect(status.stdout.contains("completed   AMD:"))
    }

    @Test func gapsSaysWhatIsCompletePartialOrMissing() async throws {
        let folder = try TestSupport.temporaryDirectory()
        #expect(
            try await Self.run(
                ["--sandbox", "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-10", "--skip-minute"],
                in: folder
            ).status == 0)
        #expect(
            try await Self.run(
                ["--sandbox", "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-08"], in: folder
            ).status == 0)
        let gaps = try await Self.run(
            ["gaps", "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-10"], in: folder)
        #expect(gaps.status == 0, "\(gaps.all)")
        // 01-06…01-08 fetched, 01-09 closed (a national day of mourning), 01-10 not fetched.
        let line = try #require(gaps.stdout.split(separator: "\n").first { $0.hasPrefix("  AMD:") })
        #expect(line.contains("3 complete, 1 missing, 1 holiday sessions") && line.hasSuffix("(from rest)"), "\(line)")
        #expect(gaps.stdout.contains("2025-01-10 missing 0/390 regular minutes"))
        let csv = try await Self.run(
            ["gaps", "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-10", "--format", "csv"], in: folder)
        let rows = csv.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.count == 6 && rows[0].first == "symbol", "\(csv.all)")
        // The ledger's counts are the stored bars: compare with the database itself.
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("backfill.sqlite").path)
        let stored = try await queue.read { db in
            try Int.fetchOne(
                db, sql: "SELECT COALESCE(SUM(minutes), 0) FROM minute_days_by_ticker WHERE ticker = 'AMD'") ?? 0
        }
        let received = rows.dropFirst().compactMap { Int($0[4]) }.reduce(0, +)
        #expect(stored > 0 && received == stored)
        #expect(rows[4][2] == "holiday" && rows[5][2] == "missing" && rows[1][2] == "complete" && rows[1][7] == "rest")
    }

    @Test func jsonLogsAreOneObjectPerLineAndTheReportIsStored() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let outcome = try await Self.run(
            ["--sandbox", "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-08", "--log-format", "json"],
            in: folder)
        #expect(outcome.status == 0)
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count >= 3)
        var progress: [[String: Any]] = []
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["event"] != nil || object?["level"] != nil, "\(line)")
            if object?["event"] as? String == "progress", let object { progress.append(object) }
        }
        // Per phase counts, throughput and the (unlimited) rate budget in every progress line.
        let last = try #require(progress.last)
        #expect(last["phases"] as? String == "daily 1/1, minute 1/1", "\(last)")
        #expect(Double(last["mb_per_s"] as? String ?? "") ?? 0 > 0 && last["rate_budget"] as? String == "")
        // The final report is the run's record in the database.
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("backfill.sqlite").path)
        let report = try await queue.read { try String.fetchOne($0, sql: "SELECT report FROM runs") }
        let stored = try JSONSerialization.jsonObject(with: Data((report ?? "").utf8)) as? [String: Any]
        #expect(stored?["status"] as? String == "completed", "\(report ?? "")")
        #expect((stored?["barsByTimeframe"] as? [String: Int])?["1d"] == 3)
    }

    @Test func withoutAKeyItSaysWhichVariablesAndSuggestsTheSandbox() async throws {
        let outcome = try await Self.run(
            ["--tickers", "AMD", "--years", "1"], in: try TestSupport.temporaryDirectory())
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("POLYGON_API_KEY") && outcome.stderr.contains("MASSIVE_API_KEY"))
        #expect(outcome.stderr.contains("--sandbox"))
    }

    @Test(arguments: [
        (["--tickers", "AMD", "--flatfiles"], "POLYGON_S3_ACCESS_KEY"), (["--all"], "add --flatfiles"),
        (["--tickers", "AMD", "--limit", "50"], "--limit goes with --all"),
        (["--tickers", "AMD", "--all", "--limit", "5"], "either --tickers or --all"),
    ])
    func seedFlagsNotYetAvailableAreRejectedNotIgnored(arguments: [String], message: String) async throws {
        let outcome = try await Self.run(arguments, in: try TestSupport.temporaryDirectory())
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains(message))
    }

    @Test func allWithLimitBackfillsTheMostTradedTickers() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let outcome = try await Self.run(
            ["--sandbox", "--all", "--limit", "3", "--skip-minute", "--from", "2025-03-03", "--to", "2025-03-07"],
            in: folder)
        #expect(outcome.status == 0, "\(outcome.all)")
        let rows = try TestSupport.contents(ofDatabase: folder.appendingPathComponent("backfill.sqlite").path)
            .filter { $0.hasPrefix("bars_") }
        let tickers = Set(rows.compactMap { $0.split(separator: " ").dropFirst().first.map(String.init) })
        #expect(rows.count == 3 * 5 && tickers.count == 3, "\(tickers)")
    }

    @Test func keyFromDotEnvReachesTheAPIAndNeverThePrintout() async throws {
        let folder = try TestSupport.temporaryDirectory()
        try "POLYGON_API_KEY=\(SandboxConfiguration.defaultAPIKey)\n".write(
            to: folder.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let outcome = try await TestSupport.sandbox().withRunning { baseURL in
            try await Self.run(
                [
                    "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-08", "--base-url", baseURL,
                    "--rate-limit", "600",
                ],
                in: folder)
        }
        #expect(outcome.status == 0, "\(outcome.all)")
        #expect(outcome.stdout.contains("Backfill completed"))
        #expect(!outcome.all.contains(SandboxConfiguration.defaultAPIKey))
    }

    @Test func aRefusedKeyIsOneClearLineWithoutTheKey() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let outcome = try await TestSupport.sandbox().withRunning { baseURL in
            try await Self.run(
                ["--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-08", "--base-url", baseURL],
                in: folder, environment: ["MASSIVE_API_KEY": "secret-key-xyz"])
        }
        #expect(outcome.status == 1)
        #expect(outcome.all.contains("API key was refused"))
        #expect(!outcome.all.contains("secret-key-xyz"))
    }

    static let killArguments = [
        "--sandbox", "--tickers", "AMD,NVDA", "--from", "2024-01-02", "--to", "2024-04-30",
        "--concurrency", "2",
    ]

    /// SIGKILL in the middle of a run leaves a consistent file; the same command then finishes the
    /// job, and the result is exactly an uninterrupted run's.
    @Test func killedRunResumesToTheSameContent() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let killed = folder.appendingPathComponent("killed.sqlite").path
        let (process, _, _) = try Self.start(Self.killArguments + ["--db", killed], in: folder)
        try await Self.waitForMinuteBars(in: killed, process: process)
        #expect(try await ChildExit.kill9(process)?.signal == SIGKILL)
        let queue = try DatabaseQueue(path: killed)
        #expect(try await queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
        let partial = try TestSupport.contents(ofDatabase: killed).count

        let resumed = try await Self.run(Self.killArguments + ["--db", killed], in: folder)
        #expect(resumed.status == 0, "\(resumed.all)")
        let clean = folder.appendingPathComponent("clean.sqlite").path
        #expect(try await Self.run(Self.killArguments + ["--db", clean], in: folder).status == 0)
        let expected = try TestSupport.contents(ofDatabase: clean)
        #expect(partial < expected.count, "the kill happened mid-run")
        #expect(try TestSupport.contents(ofDatabase: killed) == expected)
    }

    @Test func ctrlCStopsCleanlyAndSaysHowToContinue() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let db = folder.appendingPathComponent("int.sqlite").path
        let (process, out, _) = try Self.start(Self.killArguments + ["--db", db], in: folder)
        try await Self.waitForMinuteBars(in: db, process: process)
        kill(process.processIdentifier, SIGINT)
        #expect(try await ChildExit.wait(process)?.code == 130)
        #expect(try String(contentsOf: out, encoding: .utf8).contains("run the same command again"))
        #expect(try await Self.run(Self.killArguments + ["--db", db], in: folder).status == 0)
    }

    /// Waits until the child has stored its first minute bars (or has ended); a child still setting
    /// up after 180 s fails the test instead of being signalled before it has work in flight.
    static func waitForMinuteBars(in path: String, process: Process) async throws {
        _ = try await KillUnderFaultsTests.waitForMoreMinuteBars(than: 0, in: path, process: process)
    }
}
