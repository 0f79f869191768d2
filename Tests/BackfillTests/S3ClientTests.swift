import AsyncHTTPClient
import BackfillCore
import Foundation
import NIOCore
import NIOHTTP1
import Polygon
import PolygonSandbox
import Testing

/// The S3 client against the sandbox's S3 surface over real HTTP on loopback.
@Suite("S3 client against the sandbox")
struct S3ClientTests {
    @Test func listingPagesByPrefixAndCoversEverySession() async throws {
        let sandbox = S3TestSupport.sandbox()
        let (paged, whole) = try await sandbox.withRunning { url in
            let client = S3TestSupport.client(endpoint: url)
            return (
                try await client.list(prefix: S3TestSupport.march2024, pageSize: 6),
                try await client.list(prefix: S3TestSupport.march2024)
            )
        }
        let sessions = TradingCalendar().sessions(in: TestSupport.range("2024-03-01", "2024-03-31"))
        #expect(whole.map(\.key) == sessions.map { "\(S3TestSupport.march2024)\($0.date).csv.gz" })
        #expect(paged == whole)
        #expect(sessions.count == 20, "March 2024 has 20 sessions (Good Friday closed)")
        #expect(sandbox.statistics["s3.list"] == 1 + (sessions.count + 5) / 6)
        #expect(whole.allSatisfy { $0.size > 100 && $0.etag?.count == 34 })
    }

    @Test func downloadedDayFileDecodesToTheSyntheticMarket() async throws {
        let directory = try TestSupport.temporaryDirectory().path
        let download = try await S3TestSupport.sandbox().withRunning { url in
            let client = S3TestSupport.client(endpoint: url)
            let listed = try await client.list(prefix: S3TestSupport.dayKey)
            return try await client.download(
                key: S3TestSupport.dayKey, to: directory + "/day.csv.gz", expected: listed.first)
        }
        #expect(download.resumedAt.isEmpty)
        let (rows, summary) = try FlatFileDecoder().decodeAggregates(file: download.path, name: download.key)
        #expect(summary.quarantinedCount == 0)
        let universe = SyntheticUniverse(seed: 42)
        #expect(
            rows.map(\.ticker)
                == FlatFileUniverse.tickers(on: TestSupport.date("2024-03-15"), count: 12, universe: universe),
            "one daily row per ticker, sorted")
        #expect(Set(FlatFileUniverse.tricky).isSubset(of: rows.map(\.ticker)))
        let market = SyntheticMarket(seed: 42)
        let row = try #require(rows.first { $0.ticker == "TpC" })
        var expected: Bar?
        market.forEachSession(ticker: "TpC", in: TestSupport.range("2024-03-15", "2024-03-15")) { _, session, minutes in
            expected = market.dailyBar(from: minutes, session: session)
        }
        var bar = try #require(expected)
        bar.vwap = nil
        #expect(row.bar == bar)
    }

    @Test func aResetMidBodyIsResumedWithRangeToTheSameBytes() async throws {
        let faults = FaultInjector()
        let directory = try TestSupport.temporaryDirectory().path
        let (resumed, clean) = try await S3TestSupport.sandbox(faults: faults).withRunning { url in
            let client = S3TestSupport.client(endpoint: url)
            let clean = try await client.download(key: S3TestSupport.minuteKey, to: directory + "/clean.csv.gz")
            faults.script(.resetMidBody, times: 2, pathPrefix: "/flatfiles/us_stocks_sip/minute_aggs_v1/")
            let listed = try await client.list(prefix: S3TestSupport.minuteKey)
            let resumed = try await client.download(
                key: S3TestSupport.minuteKey, to: directory + "/r.csv.gz", expected: listed[0])
            return (resumed, clean)
        }
        #expect(resumed.resumedAt.count == 2 && resumed.resumedAt.allSatisfy { $0 > 0 && $0 < clean.size })
        #expect(resumed.size == clean.size && resumed.etag == clean.etag)
        let a = try Data(contentsOf: URL(fileURLWithPath: resumed.path))
        #expect(a == (try Data(contentsOf: URL(fileURLWithPath: clean.path))))
        #expect(try FlatFileDecoder().decodeAggregates(file: resumed.path).summary.quarantinedCount == 0)
    }

    @Test func aWrongSecretIsAClear403ThatIsNotRetried() async throws {
        let sandbox = S3TestSupport.sandbox()
        let error = try await sandbox.withRunning { url in
            await #expect(throws: PolygonError.self) {
                try await S3TestSupport.client(endpoint: url, secretKey: "not-the-secret-123").list(
                    prefix: "us_stocks_sip/")
            }
        }
        let failure = try #require(error)
        #expect(failure.code == .forbidden && failure.httpStatus == 403 && !failure.isRetryable)
        #expect(failure.message.contains("SignatureDoesNotMatch") && failure.message.contains("POLYGON_S3_SECRET_KEY"))
        #expect(!failure.description.contains("not-the-secret-123"))
        #expect(sandbox.statistics["s3.list"] == 1)
    }

    @Test func anUnknownAccessKeyAndAnUnsignedRequestAreRefused() async throws {
        let (error, status) = try await S3TestSupport.sandbox().withRunning { url in
            let error = await #expect(throws: PolygonError.self) {
                try await S3TestSupport.client(endpoint: url, accessKey: "AKIDWRONG").download(
                    key: S3TestSupport.dayKey, to: "/tmp/never-written.csv.gz")
            }
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: url + "/flatfiles?list-type=2"), timeout: .seconds(10))
            return (error, Int(response.status.code))
        }
        #expect(error?.message.contains("InvalidAccessKeyId") == true && error?.code == .forbidden)
        #expect(status == 403)
    }

    @Test func aTruncatedObjectIsCaughtBySizeOrETagAndNeverDecodesAsAShortDay() async throws {
        let faults = FaultInjector()
        let sandbox = S3TestSupport.sandbox(faults: faults)
        let directory = try TestSupport.temporaryDirectory().path
        let (listed, retried, unlisted) = try await sandbox.withRunning { url in
            let client = S3TestSupport.client(endpoint: url)
            let listed = try await client.list(prefix: S3TestSupport.minuteKey)[0]
            faults.script(.truncatedObject, times: 1, pathPrefix: "/flatfiles/")
            let retried = try await client.download(
                key: S3TestSupport.minuteKey, to: directory + "/a.csv.gz", expected: listed)
            faults.script(.truncatedObject, times: 1, pathPrefix: "/flatfiles/")
            let unlisted = try await client.download(key: S3TestSupport.minuteKey, to: directory + "/b.csv.gz")
            return (listed, retried, unlisted)
        }
        #expect(
            sandbox.statistics["s3.get"] == 4,
            "each short copy was refused (size, then the ETag's MD5) and fetched again")
        #expect(retried.size == listed.size && unlisted.size == listed.size)
        #expect(try FlatFileDecoder().decodeAggregates(file: retried.path).rows.count > 12 * 390)
        let whole = try Data(contentsOf: URL(fileURLWithPath: retried.path))
        let short = try FlatFileTestData.write(bytes: Array(whole.prefix(whole.count / 2)))
        let error = #expect(throws: PolygonError.self) {
            try FlatFileDecoder().decodeAggregates(file: short, name: S3TestSupport.minuteKey)
        }
        #expect(error?.code == .corruptFile && error?.message.contains("truncated") == true)
        #expect(error?.message.contains(S3TestSupport.minuteKey) == true)
    }

    @Test func malformedRowsFromTheServerAreQuarantinedAndTheRestDecodes() async throws {
        let faults = FaultInjector()
        let directory = try TestSupport.temporaryDirectory().path
        let download = try await S3TestSupport.sandbox(faults: faults).withRunning { url in
            faults.script(.malformedRows(every: 100), times: 1, pathPrefix: "/flatfiles/")
            return try await S3TestSupport.client(endpoint: url).download(
                key: S3TestSupport.minuteKey, to: directory + "/m.csv.gz")
        }
        let (rows, summary) = try FlatFileDecoder().decodeAggregates(file: download.path, name: download.key)
        #expect(summary.quarantinedCount == (rows.count + summary.quarantinedCount) / 100)
        #expect(summary.quarantined.first?.line == 101 && summary.quarantined.first?.file == download.key)
        #expect(summary.quarantined.allSatisfy { $0.reason.contains("not a number") })
    }

    @Test func injectedServerErrorsAreRetried() async throws {
        let faults = FaultInjector()
        let sandbox = S3TestSupport.sandbox(faults: faults)
        let download = try await sandbox.withRunning { url in
            faults.script(.status(503, retryAfterSeconds: nil), times: 2, pathPrefix: "/flatfiles/")
            return try await S3TestSupport.client(endpoint: url).download(
                key: S3TestSupport.dayKey, to: try TestSupport.temporaryDirectory().path + "/d.csv.gz")
        }
        #expect(download.size > 0 && sandbox.statistics["s3.get"] == 3)
    }

    @Test func missingKeysAndMissingCredentialsAreClearErrors() async throws {
        let error = try await S3TestSupport.sandbox().withRunning { url in
            await #expect(throws: PolygonError.self) {
                try await S3TestSupport.client(endpoint: url).download(
                    key: "us_stocks_sip/day_aggs_v1/2024/03/2024-03-16.csv.gz", to: "/tmp/never.csv.gz")
            }
        }
        #expect(error?.message.contains("NoSuchKey") == true && error?.message.contains("2024-03-16") == true)
        #expect(throws: PolygonError.self) { try S3Configuration.fromEnvironment(["POLYGON_S3_ACCESS_KEY": "a"]) }
        let configuration = try S3Configuration.fromEnvironment([
            "POLYGON_S3_ACCESS_KEY": "a", "POLYGON_S3_SECRET_KEY": "b",
        ])
        #expect(configuration.endpoint == "https://files.polygon.io" && configuration.bucket == "flatfiles")
    }

    @Test func flatFileFaultsHaveCommandLineSpellings() {
        #expect(Fault(spec: "truncated-gzip") == .truncatedObject)
        #expect(Fault(spec: "malformed-csv") == .malformedRows(every: 1_000))
        #expect(Fault(spec: "reset-mid-body") == .resetMidBody)
        #expect(Fault.resetMidBody.description == "reset-mid-body")
    }

    @Test func theLocalFolderSourceListsTheSameLayout() async throws {
        let root = FlatFileDecoderTests.samples.deletingLastPathComponent().path
        let source = LocalFlatFileSource(root: root)
        let objects = try await source.list(prefix: "us_stocks_sip/minute_aggs_v1/")
        try #require(
            objects.map(\.key) == [
                "us_stocks_sip/minute_aggs_v1/2025-04-16.sample.csv",
                "us_stocks_sip/minute_aggs_v1/2026-05-22.sample.csv",
            ], "the samples under \(root)")
        let path = try await source.localFile(for: objects[0], cacheDirectory: "/unused")
        #expect(try FlatFileDecoder().decodeAggregates(file: path).rows.count == 2)
    }
}
