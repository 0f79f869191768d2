import Foundation
import PolygonSandbox
import PostgresStore
import Testing

/// `scraper --workers-from postgres://…`: three real worker processes share one backfill through
/// the work queue; one is killed (SIGKILL) holding a chunk, the other two take it over when its
/// lease runs out and finish. The database then holds exactly what one worker alone stores.
@Suite("scraper workers sharing PostgreSQL", .serialized)
struct PostgresWorkersCLITests {
    static let arguments = [
        "--tickers", "AMD,NVDA,TSLA", "--from", "2024-01-02", "--to", "2024-04-30", "--rate-limit", "100000",
        "--lease-seconds", "10",
    ]

    @Test func threeWorkersOneKilledStoreWhatOneWorkerStores() async throws {
        let folder = try TestSupport.temporaryDirectory()
        // Slow answers, so the chunks outlast the workers' start and the kill comes midway.
        let faults = FaultInjector(
            rules: [.init(pathPrefix: "/v2/aggs", fault: .latency(milliseconds: 300), probability: 1)], seed: 3)
        let sandbox = TestSupport.sandbox(faults: faults)
        try await sandbox.withRunning { baseURL in
            try await PostgresTestSupport.withDatabase { (shared) async throws in
                try await PostgresTestSupport.withDatabase { (alone) async throws in
                    let environment = [
                        "POLYGON_API_KEY": SandboxConfiguration.defaultAPIKey, "DB_PASSWORD": shared.password ?? "",
                    ]
                    let common = Self.arguments + ["--base-url", baseURL]
                    var workers: [(name: String, process: Process, out: URL, err: URL)] = []
                    for name in ["w1", "w2", "w3"] {
                        // w1 kills itself on claiming a chunk after completing one: it dies holding it.
                        let hook = name == "w1" ? ["BACKFILL_TEST_SIGKILL_AFTER_TASKS": "1"] : [:]
                        let concurrency = name == "w1" ? "1" : "2"
                        let (process, out, err) = try ScraperCLITests.start(
                            common + [
                                "--workers-from", Self.url(shared), "--worker-id", name, "--concurrency", concurrency,
                            ], in: folder,
                            environment: environment.merging(hook) { $1 })
                        workers.append((name, process, out, err))
                    }
                    var exits: [String: ChildExit.Status] = [:]
                    for worker in workers {
                        let exit = try await ChildExit.wait(worker.process, timeout: .seconds(600))
                        exits[worker.name] = exit
                        let output =
                            (try String(contentsOf: worker.out, encoding: .utf8))
                            + (try String(contentsOf: worker.err, encoding: .utf8))
                        if worker.name == "w1" {
                            #expect(exit?.signal == SIGKILL, "w1 died midway: \(output.suffix(2_000))")
                        } else {
                            #expect(exit?.code == 0, "\(worker.name): \(output.suffix(3_000))")
                            #expect(
                                output.contains("Backfill completed") && output.contains("worker      \(worker.name)"))
                        }
                    }

                    let single = try await ScraperCLITests.run(
                        common + ["--workers-from", Self.url(alone), "--worker-id", "alone"], in: folder,
                        environment: environment)
                    #expect(single.status == 0, "\(single.all.suffix(3_000))")

                    // Every chunk done, once per key; w1's held chunk finished by another worker.
                    let tasks = try await PostgresTestSupport.rows(
                        "SELECT kind || ' ' || key || ' ' || state FROM work_tasks ORDER BY kind, key", on: shared)
                    let expectedTasks = try await PostgresTestSupport.rows(
                        "SELECT kind || ' ' || key || ' ' || state FROM work_tasks ORDER BY kind, key", on: alone)
                    // Per ticker: one daily and four minute chunks, and the indicator states of both timeframes.
                    #expect(tasks.count == 3 * (1 + 4) + 3 * 2 && tasks == expectedTasks, "\(tasks)")
                    #expect(tasks.allSatisfy { $0.hasSuffix(" done") })
                    let byW1 = try await PostgresTestSupport.rows(
                        "SELECT COUNT(*)::text FROM work_tasks WHERE worker = 'w1' AND state = 'done'", on: shared)
                    #expect(byW1 != ["0"], "w1 completed a chunk before it died")
                    let takenOver = try await PostgresTestSupport.rows(
                        "SELECT worker FROM work_tasks WHERE kind = 'rest-chunk' AND attempts > 1", on: shared)
                    #expect(!takenOver.isEmpty && !takenOver.contains("w1"), "w1's chunk was taken over: \(takenOver)")

                    try await Self.expectSameContent(shared, as: alone)
                    let counts = try await PostgresTestSupport.rows(
                        "SELECT COUNT(*)::text FROM bars_minute", on: shared)
                    #expect((Int(counts.first ?? "") ?? 0) > 100_000, "\(counts)")
                }
            }
        }
    }

    /// Every content query (bars, coverage, ledger, names, indicator states) gives the same rows
    /// on `stored` as on `expected`.
    static func expectSameContent(_ stored: PostgresSettings, as expected: PostgresSettings) async throws {
        for query in contentQueries {
            let wanted = try await PostgresTestSupport.rows(query, on: expected)
            let found = try await PostgresTestSupport.rows(query, on: stored)
            #expect(found == wanted, "\(query)")
        }
    }

    static func url(_ settings: PostgresSettings) -> String {
        "postgres://\(settings.user)@\(settings.host):\(settings.port)/\(settings.database)"
    }

    /// A database's content by ticker (security ids may be numbered differently): row counts and
    /// digests of the bars, then coverage, ledger and securities in full.
    static let contentQueries = [
        """
        SELECT COUNT(*)::text || ' ' || md5(string_agg((ticker, t, o, h, l, c, v, vw, n)::text, ',' ORDER BY ticker, t))
        FROM bars_minute_by_ticker
        """,
        """
        SELECT COUNT(*)::text || ' ' || md5(string_agg((ticker, t, o, h, l, c, v, vw, n)::text, ',' ORDER BY ticker, t))
        FROM bars_day_by_ticker
        """,
        """
        SELECT (s.ticker, c.timeframe, c.first_day, c.last_day)::text FROM coverage c
        JOIN securities s ON s.id = c.security_id ORDER BY 1
        """,
        """
        SELECT (s.ticker, l.session, l.expected, l.received, l.regular, l.status, l.source)::text FROM ledger l
        JOIN securities s ON s.id = l.security_id ORDER BY 1
        """,
        "SELECT (ticker, from_ms, until_ms)::text FROM ticker_names ORDER BY 1",
        "SELECT (s.ticker, i.timeframe, i.last_t)::text FROM indicator_state i JOIN securities s ON s.id = i.security_id ORDER BY 1",
    ]
}
