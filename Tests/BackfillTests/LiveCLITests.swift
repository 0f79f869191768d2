import BackfillCore
import Foundation
import GRDB
import Ingestion
import MessageBus
import PolygonSandbox
import RedisBus
import Storage
import Testing

/// `scraper live` as a user runs it: the built binary, a real file, the sandbox's feed.
@Suite("scraper live", .serialized)
struct LiveCLITests {
    @Test func sandboxRunStoresLiveBarsWithIndicatorStateAndStops() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let outcome = try await ScraperCLITests.run(
            [
                "live", "--sandbox", "--tickers", "AAPL,MSFT", "--duration", "6", "--sandbox-speed", "600",
                "--sandbox-start", "2025-01-06T10:00", "--db", "live.sqlite",
            ], in: directory)
        #expect(outcome.status == 0, "\(outcome.all)")
        #expect(outcome.stdout.contains("Live AM.AAPL,AM.MSFT from ws://127.0.0.1:"))
        #expect(outcome.stdout.contains("Stopped after") && outcome.stdout.contains("published"), "\(outcome.stdout)")
        let store = try SQLiteBarStore(path: directory.appendingPathComponent("live.sqlite").path)
        let market = SyntheticMarket(seed: 42)
        for symbol in ["AAPL", "MSFT"] {
            let stored = try await LiveTestSupport.stored(store, symbol)
            #expect(stored.count >= 3, "\(symbol): \(outcome.all)")
            let day = market.minuteBars(symbol: symbol, date: LiveTestSupport.day)
            for bar in stored {
                let expected = try #require(day.first { $0.windowStartMs == bar.windowStartMs })
                #expect(bar.sameMarketValues(as: expected))
            }
            // Saved at stop: the state 15 minutes behind the newest bar, so that a restart (or the next
            // backfill) replays the last minutes in their final, possibly re-sent, versions.
            let (saved, batch) = try await LiveTestSupport.savedAndBatchEngines(store, symbol, over: stored)
            #expect(saved == batch)
            #expect(saved.lastWindowStartMs == LiveTestSupport.savedStateLastMs(stored))
        }
    }

    @Test func badArgumentsAndAMissingKeyAreClearErrors() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let bad = try await ScraperCLITests.run(["live", "--tickers", "AA PL", "--sandbox"], in: directory)
        #expect(bad.status != 0 && bad.stderr.contains("ticker 'AA PL'"), "\(bad.all)")
        let neither = try await ScraperCLITests.run(["live", "--sandbox"], in: directory)
        #expect(neither.status != 0 && neither.stderr.contains("--tickers"), "\(neither.all)")
        let noKey = try await ScraperCLITests.run(["live", "--tickers", "AAPL"], in: directory)
        #expect(noKey.status == 1 && noKey.stderr.contains("no API key"), "\(noKey.all)")
    }

    @Test func aRefusedKeyEndsTheRunWithoutShowingTheKey() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let secret = "not-the-key-4f1e2d"
        let outcome = try await WebSocketTestSupport.sandbox().withRunning { baseURL in
            try await ScraperCLITests.run(
                ["live", "--tickers", "AAPL", "--base-url", baseURL, "--db", "live.sqlite"], in: directory,
                environment: ["POLYGON_API_KEY": secret])
        }
        #expect(outcome.status == 1, "\(outcome.all)")
        #expect(outcome.stderr.contains("authentication failed"), "\(outcome.all)")
        #expect(!outcome.all.contains(secret))
    }

    @Test func ctrlCStoresWhatCameAndSavesTheIndicatorState() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let (process, out, err) = try ScraperCLITests.start(
            [
                "live", "--sandbox", "--tickers", "AAPL", "--sandbox-speed", "600", "--sandbox-start",
                "2025-01-06T10:00", "--db", "live.sqlite",
            ], in: directory)
        let deadline = ContinuousClock.now + .seconds(60)
        while try String(contentsOf: out, encoding: .utf8).range(of: #"\] stored [1-9]"#, options: .regularExpression)
            == nil
        {
            guard ChildExit.isRunning(process), ContinuousClock.now < deadline else {
                _ = try await ChildExit.kill9(process)
                Issue.record("no stored bars reported: \(try String(contentsOf: err, encoding: .utf8))")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(process.processIdentifier, SIGINT)
        let exit = try await ChildExit.wait(process)
        let stdout = try String(contentsOf: out, encoding: .utf8)
        #expect(exit?.code == 0, "\(stdout)")
        #expect(stdout.contains("Stopped after"))
        #expect(try String(contentsOf: err, encoding: .utf8).contains("interrupt: storing what was received"))
        let store = try SQLiteBarStore(path: directory.appendingPathComponent("live.sqlite").path)
        let stored = try await LiveTestSupport.stored(store, "AAPL")
        #expect(!stored.isEmpty)
        let (saved, batch) = try await LiveTestSupport.savedAndBatchEngines(store, "AAPL", over: stored)
        #expect(saved == batch && saved.lastWindowStartMs != nil)
    }

    /// `--bus redis`: every stored bar reaches a subscriber in another process (what `gui --bus redis`
    /// listens to); a Redis that cannot be reached is one clear line before any work.
    @Test func liveBarsArePublishedOnRedisForOtherProcesses() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let (outcome, received) = try await Self.runOnRedis(
            [
                "live", "--sandbox", "--tickers", "AAPL,MSFT", "--duration", "4", "--sandbox-speed", "600",
                "--sandbox-start", "2025-01-06T10:00", "--db", "live.sqlite",
            ], in: directory, prefix: "bars.1m."
        ) { received in
            // The last messages may still be on their way when the process has exited.
            let store = try SQLiteBarStore(path: directory.appendingPathComponent("live.sqlite").path)
            var stored = 0
            for symbol in ["AAPL", "MSFT"] { stored += try await LiveTestSupport.stored(store, symbol).count }
            _ = await received.waitFor(count: stored, timeout: .seconds(10))
        }
        #expect(outcome.status == 0, "\(outcome.all)")
        let store = try SQLiteBarStore(path: directory.appendingPathComponent("live.sqlite").path)
        for symbol in ["AAPL", "MSFT"] {
            let stored = try await LiveTestSupport.stored(store, symbol)
            let published = received.filter { $0.topic == "bars.1m.\(symbol)" }
            #expect(
                !stored.isEmpty && published.count >= stored.count,
                "\(symbol): \(published.count) published, \(stored.count) stored")
        }

        let closed = try RedisServer.freePort()
        let refused = try await ScraperCLITests.run(
            ["live", "--sandbox", "--tickers", "AAPL", "--duration", "2", "--db", "live2.sqlite", "--bus", "redis"],
            in: directory, environment: ["REDIS_HOST": "127.0.0.1", "REDIS_PORT": String(closed)])
        #expect(refused.status == 1 && refused.stderr.contains("127.0.0.1:\(closed)"), "\(refused.all)")
    }

    /// `backfill --bus redis`: each stored chunk is announced (symbol, timeframe, days, rows changed)
    /// for a gui in another process; the chunks' changed rows add up to what the run stored.
    @Test func backfillChunksAreAnnouncedOnRedisForOtherProcesses() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let (outcome, received) = try await Self.runOnRedis(
            [
                "--sandbox", "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-17", "--skip-news",
                "--db", "chunks.sqlite",
            ], in: directory, prefix: "bars."
        ) { received in
            _ = await received.waitFor(count: 2, timeout: .seconds(10))
            try? await Task.sleep(for: .milliseconds(500))  // any later chunk still on its way
        }
        #expect(outcome.status == 0, "\(outcome.all)")
        let store = try SQLiteBarStore(path: directory.appendingPathComponent("chunks.sqlite").path)
        for (timeframe, stored) in [
            (
                "1d",
                try await store.bars(symbol: "AMD", timeframe: .day, fromMs: .min, toMs: .max, limit: 100_000).count
            ),
            (
                "1m",
                try await store.bars(symbol: "AMD", timeframe: .minute, fromMs: .min, toMs: .max, limit: 100_000).count
            ),
        ] {
            let chunks = received.filter { $0.topic == "bars.\(timeframe).AMD" }.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.payload)) as? [String: Any]
            }
            let changed = chunks.reduce(0) { $0 + (($1["changed"] as? NSNumber)?.intValue ?? 0) }
            #expect(!chunks.isEmpty && changed == stored && stored > 0, "\(timeframe): \(chunks)")
            #expect(
                chunks.allSatisfy {
                    $0["from"] as? String ?? "" >= "2025-01-06" && $0["to"] as? String ?? "" <= "2025-01-17"
                })
        }
    }

    /// A day file's committed bars are announced per ticker like REST chunks (bars received, no
    /// per-ticker change count); a second run that changes nothing announces nothing.
    @Test func dayFilesAreAnnouncedOnRedisPerTicker() async throws {
        let directory = try TestSupport.temporaryDirectory()
        let (root, _) = try FlatFileTestSupport.minuteFileWithTwoBadRows(in: directory)
        let arguments = [
            "--flatfiles-dir", root.path, "--tickers", "AMD", "--from", "2024-03-12", "--to", "2024-03-12",
            "--phases", "minute", "--db", "files.sqlite",
        ]
        let settle: @Sendable (MessageCollector) async throws -> Void = { received in
            _ = await received.waitFor(count: 1, timeout: .seconds(3))
            try? await Task.sleep(for: .milliseconds(300))
        }
        let (first, everything) = try await Self.runOnRedis(arguments, in: directory, prefix: "", settle: settle)
        #expect(first.status == 0, "\(first.all)")
        // Its progress goes on the bus too, as REST runs' does (the gui's /metrics follows it).
        let progress = try everything.filter { $0.topic == Topic.progress }.map {
            try JSONDecoder().decode(BackfillProgress.self, from: Data($0.payload))
        }
        #expect(progress.last?.itemsDone == 1 && progress.last?.quarantined == 2, "\(progress)")
        let announced = everything.filter { $0.topic.hasPrefix("bars.") }
        let notices = announced.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.payload)) as? [String: Any]
        }
        #expect(announced.map(\.topic) == ["bars.1m.AMD"], "\(announced.map(\.text))")
        #expect(notices.first?["from"] as? String == "2024-03-12" && notices.first?["to"] as? String == "2024-03-12")
        #expect((notices.first?["received"] as? NSNumber)?.intValue == 2, "two of the four rows are valid")

        // The same file again, its task and coverage forgotten so it is planned and written anew:
        // the same rows change nothing, so nothing is announced.
        let path = directory.appendingPathComponent("files.sqlite").path
        var queue = try DatabaseQueue(path: path)
        try await queue.write { try $0.execute(sql: "DELETE FROM tasks; DELETE FROM coverage") }
        try queue.close()
        let (second, again) = try await Self.runOnRedis(arguments, in: directory, prefix: "bars.") { received in
            try await Task.sleep(for: .milliseconds(500))  // anything announced would be here by now
            _ = received
        }
        #expect(second.status == 0, "\(second.all)")
        queue = try DatabaseQueue(path: path)
        let done = try await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM tasks WHERE state = 'done'") }
        try queue.close()
        #expect(done == 1, "the day file was written again")
        #expect(again.isEmpty, "nothing changed, nothing announced: \(again.map(\.text))")
    }

    /// Runs a scraper with `--bus redis` on a fresh redis-server while a subscriber to `prefix`
    /// collects what it publishes; `settle` waits for the last messages once the process exited.
    static func runOnRedis(
        _ arguments: [String], in directory: URL, prefix: String,
        settle: @escaping @Sendable (MessageCollector) async throws -> Void
    ) async throws -> (ScraperCLITests.Outcome, [BusMessage]) {
        let server = try await RedisServer.started()
        defer { server.stop() }
        let environment = ["REDIS_HOST": "127.0.0.1", "REDIS_PORT": String(server.port)]
        return try await withRunningBus(server.configuration) { bus in
            let received = MessageCollector()
            let stream = try await bus.subscription(topicPrefix: prefix, bufferSize: 10_000)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await received.collect(stream) }
                defer { group.cancelAll() }
                let outcome = try await ScraperCLITests.run(
                    arguments + ["--bus", "redis"], in: directory, environment: environment)
                try await settle(received)
                return (outcome, received.messages)
            }
        }
    }
}
