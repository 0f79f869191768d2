import BackfillCore
import Foundation
import GRDB
import PolygonSandbox
import Testing

/// `scraper --flatfiles` as a user runs it: a real process with its embedded sandbox.
@Suite("scraper flat files", .serialized)
struct FlatFileCLITests {
    typealias CLI = ScraperCLITests

    static let arguments = [
        "--sandbox", "--flatfiles", "--tickers", "AMD,NVDA", "--from", "2024-01-02", "--to", "2024-01-19",
        "--concurrency", "2",
    ]

    /// SIGKILL while day files are being stored, then the same command: the same rows as a run that
    /// was never interrupted, no duplicate, no hole.
    @Test func killedRunResumesToTheSameContent() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let killed = folder.appendingPathComponent("killed.sqlite").path
        // Killed with SIGKILL after 3 of 26 day files, the next ones in flight.
        let (process, _, _) = try CLI.start(
            Self.arguments + ["--db", killed], in: folder, environment: ["BACKFILL_TEST_SIGKILL_AFTER_FILES": "3"])
        #expect(try await ChildExit.wait(process)?.signal == SIGKILL)
        let queue = try DatabaseQueue(path: killed)
        #expect(try await queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
        let partial = try TestSupport.contents(ofDatabase: killed).count

        let resumed = try await CLI.run(Self.arguments + ["--db", killed], in: folder)
        #expect(resumed.status == 0, "\(resumed.all)")
        let clean = folder.appendingPathComponent("clean.sqlite").path
        let uninterrupted = try await CLI.run(Self.arguments + ["--db", clean], in: folder)
        #expect(uninterrupted.status == 0, "\(uninterrupted.all)")
        #expect(uninterrupted.stdout.contains("Flat files completed"))
        let expected = try TestSupport.contents(ofDatabase: clean)
        #expect(partial < expected.count, "the kill happened mid-run")
        #expect(try TestSupport.contents(ofDatabase: killed) == expected)

        let again = try await CLI.run(Self.arguments + ["--db", clean], in: folder)
        #expect(again.status == 0 && again.stdout.contains("0 stored, 0 failed, 26 already stored"), "\(again.all)")
        let status = try await CLI.run(["status", "--db", clean], in: folder)
        #expect(status.status == 0)
        #expect(status.stdout.contains("flat-file   done         26"), "\(status.stdout)")
        #expect(status.stdout.contains("Quarantined rows: 0"))
    }

    @Test func ctrlCFinishesTheDayInProgressAndTheSameCommandContinues() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let db = folder.appendingPathComponent("int.sqlite").path
        let (process, out, _) = try CLI.start(Self.arguments + ["--db", db], in: folder)
        try await CLI.waitForMinuteBars(in: db, process: process)
        kill(process.processIdentifier, SIGINT)
        #expect(try await ChildExit.wait(process)?.code == 130)
        let printed = try String(contentsOf: out, encoding: .utf8)
        #expect(printed.contains("run the same command again"), "\(printed)")
        let queue = try DatabaseQueue(path: db)
        let unfinished = try await queue.read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM tasks WHERE state IN ('downloading', 'processing')")
        }
        #expect(unfinished == 0, "the day in progress was finished, not abandoned")
        let resumed = try await CLI.run(Self.arguments + ["--db", db], in: folder)
        #expect(resumed.status == 0, "\(resumed.all)")
        let done = try await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM tasks WHERE state = 'done'") }
        #expect(done == 26)
    }

    /// S3 keys in `.env` and a REST key: hybrid without any flag. Files for the tickers they hold,
    /// REST for a ticker absent from them; no secret in the output.
    @Test func s3KeysMakeHybridTheDefault() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let server = FlatFileTestSupport.sandbox()
        let outcome = try await server.withRunning { baseURL in
            let day = TestSupport.date("2024-03-11")
            let inFile = try #require(FlatFileTestSupport.fileTickers(server, on: day).first)
            let held = Set(FlatFileUniverse.tickers(on: day, count: 12, universe: server.market.universe))
            let absent = try #require(
                server.market.universe.listings(on: day).map(\.ticker).first {
                    !held.contains($0) && Symbol.problem(with: $0) == nil
                })
            let env = [
                "POLYGON_S3_ACCESS_KEY=\(S3Settings.defaultAccessKey)",
                "POLYGON_S3_SECRET_KEY=\(S3Settings.defaultSecretKey)", "POLYGON_S3_ENDPOINT=\(baseURL)",
                "POLYGON_API_KEY=\(SandboxConfiguration.defaultAPIKey)", "",
            ]
            try env.joined(separator: "\n").write(
                to: folder.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
            return try await CLI.run(
                [
                    "--tickers", "\(inFile),\(absent)", "--from", "2024-03-11", "--to", "2024-03-13", "--base-url",
                    baseURL, "--rate-limit", "600", "--skip-minute",
                ], in: folder)
        }
        #expect(outcome.status == 0, "\(outcome.all)")
        #expect(outcome.stdout.contains("Flat files completed") && outcome.stdout.contains("Backfill completed"))
        #expect(outcome.stdout.contains("absent "), "the summary names the ticker the files lack")
        #expect(!outcome.all.contains(S3Settings.defaultSecretKey) && !outcome.all.contains("sandbox-key"))
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("backfill.sqlite").path)
        let perTicker = try await queue.read {
            try Int.fetchAll($0, sql: "SELECT COUNT(*) FROM bars_day_by_ticker GROUP BY ticker")
        }
        #expect(perTicker == [3, 3], "three sessions for each ticker, from a file or from REST")
    }

    @Test func dryRunListsTheDayFilesAndBytes() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let outcome = try await CLI.run(
            [
                "--sandbox", "--flatfiles", "--tickers", "AMD", "--from", "2024-03-11", "--to", "2024-03-17",
                "--dry-run",
            ],
            in: folder)
        #expect(outcome.status == 0, "\(outcome.all)")
        #expect(outcome.stdout.contains("1m files  5 to process (2024-03-11…2024-03-15)"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("1d files  5 to process"))
        #expect(outcome.stdout.contains("10 day files") && outcome.stdout.contains("MB to download"))
        #expect(try TestSupport.contents(ofDatabase: folder.appendingPathComponent("backfill.sqlite").path).isEmpty)
    }

    @Test func flatFilesFromAFolderAndStatusShowsQuarantinedRows() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let (root, name) = try FlatFileTestSupport.minuteFileWithTwoBadRows(in: folder)
        let outcome = try await CLI.run(
            [
                "--flatfiles-dir", root.path, "--tickers", "AMD", "--from", "2024-03-12", "--to", "2024-03-12",
                "--phases", "minute",
            ],
            in: folder)
        #expect(outcome.status == 0, "\(outcome.all)")
        #expect(outcome.stdout.contains("quarantined 2 rows"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("\(name):3: column 2 is not a number"))
        #expect(outcome.stdout.contains(":4: highBelowOpenOrClose"))
        // The run is saved with its report: no requests from a folder, one timed day-file write.
        let progress = try await LatencyCLITests.savedProgress(folder.appendingPathComponent("backfill.sqlite").path)
        #expect(progress["requests"] as? Int == 0 && progress["quarantined"] as? Int == 2, "\(progress)")
        #expect(try LatencyCLITests.histogram(progress["storeWriteLatency"]).count == 1)
        let status = try await CLI.run(["status"], in: folder)
        #expect(status.stdout.contains("Quarantined rows: 2"), "\(status.stdout)")
        #expect(status.stdout.contains("AMD        1m   2 "))
    }
}
