import BackfillCore
import Polygon
import PolygonSandbox
import Testing

/// The REST client against the sandbox over real HTTP on loopback.
@Suite("REST client against the sandbox")
struct RESTClientTests {
    let january = TestSupport.range("2025-01-02", "2025-01-10")

    @Test func pagesAreFollowedAndConcatenateToTheWholeAnswer() async throws {
        let sandbox = TestSupport.sandbox()
        let (paged, whole) = try await sandbox.withRunning { baseURL in
            let client = TestSupport.client(baseURL: baseURL)
            let paged = try await client.aggregates(ticker: "AMD", timeframe: .minute, range: january, pageLimit: 1_000)
            let whole = try await client.aggregates(ticker: "AMD", timeframe: .minute, range: january)
            return (paged, whole)
        }
        #expect(whole.pages == 1)
        #expect(paged.pages == (whole.bars.count + 999) / 1_000)
        #expect(paged.bars == whole.bars)
        #expect(whole.bars.count > 5 * 390, "7 sessions of minute bars")
        #expect(zip(whole.bars, whole.bars.dropFirst()).allSatisfy { $0.windowStartMs < $1.windowStartMs })
    }

    @Test func dailyBarsAreStampedAtMidnightNewYork() async throws {
        let bars = try await TestSupport.sandbox().withRunning { baseURL in
            try await TestSupport.client(baseURL: baseURL).aggregates(ticker: "NVDA", timeframe: .day, range: january)
                .bars
        }
        #expect(bars.count == 6)  // seven weekdays in 2025-01-02…10, less the 2025-01-09 national day of mourning
        for bar in bars {
            #expect(
                EasternTime.utcMilliseconds(
                    on: EasternTime.date(containing: bar.windowStartMs), minutesAfterMidnight: 0)
                    == bar.windowStartMs)
        }
    }

    @Test func wrongKeyIsRefusedOnceWithAClearMessage() async throws {
        let sandbox = TestSupport.sandbox()
        let error = try await sandbox.withRunning { baseURL in
            await #expect(throws: PolygonError.self) {
                try await TestSupport.client(baseURL: baseURL, apiKey: "wrong-key-123")
                    .aggregates(ticker: "AMD", timeframe: .day, range: january)
            }
        }
        let failure = try #require(error)
        #expect(failure.code == .unauthorized && !failure.isRetryable && failure.httpStatus == 401)
        #expect(failure.message.contains("Unknown API Key") && failure.message.contains("POLYGON_API_KEY"))
        #expect(failure.message.contains("AMD 1d 2025-01-02"))
        #expect(!failure.description.contains("wrong-key-123"))
        #expect(sandbox.statistics["aggregates"] == 1, "a 401 is not retried")
    }

    @Test func planLimitIsAForbiddenError() async throws {
        let error = try await TestSupport.sandbox(forbidden: ["TSLA"]).withRunning { baseURL in
            await #expect(throws: PolygonError.self) {
                try await TestSupport.client(baseURL: baseURL).aggregates(
                    ticker: "TSLA", timeframe: .day, range: january)
            }
        }
        #expect(error?.code == .forbidden)
        #expect(error?.message.contains("not entitled") == true)
    }

    static let transientFaults: [Fault] = [
        .status(429, retryAfterSeconds: 1), .status(500, retryAfterSeconds: nil), .status(503, retryAfterSeconds: nil),
        .gatewayHTML(502), .malformedJSON, .resetMidBody,
    ]

    /// Each transient fault, twice in a row, is retried and the answer is complete and exact.
    @Test(arguments: transientFaults)
    func transientFaultsAreRetried(fault: Fault) async throws {
        let faults = FaultInjector()
        let sandbox = TestSupport.sandbox(faults: faults)
        let (clean, retried, stats) = try await sandbox.withRunning { baseURL in
            let client = TestSupport.client(baseURL: baseURL)
            let clean = try await client.aggregates(ticker: "AMD", timeframe: .minute, range: january, pageLimit: 2_000)
            faults.script(fault, times: 2)
            let retried = try await client.aggregates(
                ticker: "AMD", timeframe: .minute, range: january, pageLimit: 2_000)
            return (clean, retried, client.statistics)
        }
        #expect(retried.bars == clean.bars, "no page lost or duplicated")
        #expect(stats.retries == 2)
        #expect(stats.rateLimited == (fault == .status(429, retryAfterSeconds: 1) ? 2 : 0))
    }

    /// A response slower than the request timeout is abandoned and the request retried.
    @Test func slowResponsesTimeOutAndAreRetried() async throws {
        let faults = FaultInjector()
        faults.script(.latency(milliseconds: 5_000))
        let (result, stats) = try await TestSupport.sandbox(faults: faults).withRunning { baseURL in
            let client = RESTClient(
                configuration: .init(
                    baseURL: baseURL, apiKey: SandboxConfiguration.defaultAPIKey, requestsPerMinute: nil,
                    retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.05), requestTimeout: 2),
                logger: TestSupport.quietLogger)
            return (try await client.aggregates(ticker: "AMD", timeframe: .day, range: january), client.statistics)
        }
        #expect(result.bars.count == 6)
        #expect(stats.requests >= 2 && stats.retries == stats.requests - 1, "the slow answer was abandoned")
    }

    @Test func persistentGarbageFailsNamingTickerRangeAndURL() async throws {
        let faults = FaultInjector()
        faults.script(.gatewayHTML(502), times: 10)
        let error = try await TestSupport.sandbox(faults: faults).withRunning { baseURL in
            await #expect(throws: PolygonError.self) {
                try await TestSupport.client(baseURL: baseURL, attempts: 3)
                    .aggregates(ticker: "AMD", timeframe: .minute, range: january)
            }
        }
        let failure = try #require(error)
        #expect(failure.code == .server && failure.isRetryable && failure.httpStatus == 502)
        #expect(failure.message.contains("AMD 1m 2025-01-02…2025-01-10"))
        #expect(failure.message.contains("502 Bad Gateway"), "the HTML title is quoted")
        #expect(failure.url?.contains("/v2/aggs/ticker/AMD/range/1/minute/2025-01-02/2025-01-10") == true)
    }

    @Test func missingRequiredFieldIsNamedAndNotRetried() async throws {
        let faults = FaultInjector()
        faults.script(.missingField("t"), times: 5)
        let sandbox = TestSupport.sandbox(faults: faults)
        let error = try await sandbox.withRunning { baseURL in
            await #expect(throws: PolygonError.self) {
                try await TestSupport.client(baseURL: baseURL).aggregates(
                    ticker: "AMD", timeframe: .day, range: january)
            }
        }
        #expect(error?.code == .missingField)
        #expect(error?.message.contains("'results[0].t'") == true)
        #expect(sandbox.statistics["aggregates"] == 1)
    }

    @Test func nullResultsAreAnEmptyAnswer() async throws {
        let faults = FaultInjector()
        faults.script(.emptyResults)
        let result = try await TestSupport.sandbox(faults: faults).withRunning { baseURL in
            try await TestSupport.client(baseURL: baseURL).aggregates(ticker: "AMD", timeframe: .day, range: january)
        }
        #expect(result.bars.isEmpty && result.pages == 1)
    }

    /// A weekend, the 2025-01-09 closure, Good Friday and Christmas have no bars.
    @Test(arguments: [
        ("2025-01-04", "2025-01-05"), ("2025-01-09", "2025-01-09"), ("2025-04-18", "2025-04-18"),
        ("2024-12-25", "2024-12-25"),
    ])
    func closedDaysHaveNoBars(first: String, last: String) async throws {
        let result = try await TestSupport.sandbox().withRunning { baseURL in
            try await TestSupport.client(baseURL: baseURL)
                .aggregates(ticker: "AMD", timeframe: .minute, range: TestSupport.range(first, last))
        }
        #expect(result.bars.isEmpty)
    }

    @Test func earlyCloseEndsTheSessionAtOnePMAndPostMarketAtFive() async throws {
        let bars = try await TestSupport.sandbox().withRunning { baseURL in
            try await TestSupport.client(baseURL: baseURL)
                .aggregates(ticker: "AMD", timeframe: .minute, range: TestSupport.range("2024-11-29", "2024-11-29"))
                .bars
        }
        let closeMs = EasternTime.utcMilliseconds(on: TestSupport.date("2024-11-29"), minutesAfterMidnight: 17 * 60)
        #expect(!bars.isEmpty && bars.allSatisfy { $0.windowStartMs < closeMs })
    }

    /// Three requests sent at once under 60/min (burst 1): the limiter makes the second wait about
    /// 1 s and the third about 2 s, whatever the requests themselves cost.
    @Test func rateLimiterSpacesRequests() async throws {
        let (elapsed, waited, requests) = try await TestSupport.sandbox().withRunning { baseURL in
            let client = RESTClient(
                configuration: .init(
                    baseURL: baseURL, apiKey: SandboxConfiguration.defaultAPIKey, requestsPerMinute: 60),
                logger: TestSupport.quietLogger)
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask { _ = try await client.aggregates(ticker: "AMD", timeframe: .day, range: january) }
                }
                try await group.waitForAll()
            }
            return (ContinuousClock.now - start, client.secondsWaitedForRateLimit, client.statistics.requests)
        }
        #expect(requests == 3)
        #expect(elapsed >= .milliseconds(1_990))
        #expect(waited >= 2.9 && waited <= 3.1, "1 s + 2 s of reserved waiting")
    }
}

@Suite("Secret redaction")
struct RedactorTests {
    @Test func keysAreRemovedFromURLsAndText() {
        let redactor = Redactor(secrets: ["sk_live_abcdef"])
        #expect(
            redactor.redact("https://api.polygon.io/v2/x?apiKey=sk_live_abcdef&limit=5")
                == "https://api.polygon.io/v2/x?apiKey=REDACTED&limit=5")
        #expect(redactor.redact("failed with sk_live_abcdef in it") == "failed with REDACTED in it")
        #expect(Redactor.redactQueryKeys("u?a=1&apikey=zzz") == "u?a=1&apikey=REDACTED")
        #expect(redactor.redact("nothing secret") == "nothing secret")
    }
}
