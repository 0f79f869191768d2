import AsyncHTTPClient
import BackfillCore
import Foundation
import NIOCore
import NIOHTTP1
import Polygon
import PolygonSandbox
import Testing

/// Our client against an independent S3 (moto, verifying SigV4), and boto3 against our sandbox, so
/// neither side only agrees with itself. Needs `.venv-peers` (scripts/peers-venv.sh); CI makes it.
@Suite("S3 peers: moto and boto3", .enabled(if: S3TestSupport.peersPython != nil, "\(S3TestSupport.skipReason)"))
struct S3PeerTests {
    static let key = "us_stocks_sip/day_aggs_v1/2024/03/2024-03-15.csv.gz"

    @Test func ourClientListsResumesAndDownloadsFromMoto() async throws {
        let python = try #require(S3TestSupport.peersPython)
        let directory = try TestSupport.temporaryDirectory().path
        let text = FlatFileTestData.minuteFile(tickers: 30, minutes: 200)
        let source = try FlatFileTestData.write(text, name: "upload.csv.gz")
        // moto 5.1 cannot check the signature of a GET with a query string (boto3's own listing fails
        // there too), so the 3 IAM set-up calls, 8 uploads and our 3 listing pages fall in moto's
        // unauthenticated budget; every GetObject after them, ranged or not, is SigV4-verified.
        try await MotoServer.withRunning(python: python, unauthenticatedActions: 3 + 8 + 3) { endpoint in
            let keys = try await S3TestSupport.python(
                python, "", [S3TestSupport.peerScript, "moto-setup", endpoint, source, Self.key]
            )
            .split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            let client = S3TestSupport.client(endpoint: endpoint, accessKey: keys[0], secretKey: keys[1])
            let listed = try await client.list(prefix: "us_stocks_sip/day_aggs_v1/2024/03/", pageSize: 3)
            #expect(listed.count == 7 && listed[0].key == Self.key)
            let uploaded = try Data(contentsOf: URL(fileURLWithPath: source))
            #expect(listed[0].size == uploaded.count)
            let destination = directory + "/day.csv.gz"
            try uploaded.prefix(uploaded.count / 3).write(to: URL(fileURLWithPath: destination + ".partial"))
            let download = try await client.download(key: Self.key, to: destination, expected: listed[0])
            #expect(download.resumedAt == [uploaded.count / 3], "resumed with Range from moto")
            #expect(try Data(contentsOf: URL(fileURLWithPath: destination)) == uploaded)
            #expect(try FlatFileDecoder().decodeAggregates(file: destination).rows.count == 30 * 200)
            let refused = await #expect(throws: PolygonError.self) {
                try await S3TestSupport.client(endpoint: endpoint, accessKey: keys[0], secretKey: "wrong-secret-456")
                    .download(key: Self.key, to: directory + "/refused.csv.gz")
            }
            #expect(refused?.httpStatus == 403 && refused?.message.contains("SignatureDoesNotMatch") == true)
        }
    }

    @Test func boto3ListsAndDownloadsFromTheSandbox() async throws {
        let python = try #require(S3TestSupport.peersPython)
        let directory = try TestSupport.temporaryDirectory().path
        let sandbox = S3TestSupport.sandbox()
        let (answer, ours) = try await sandbox.withRunning { url in
            let answer = try await S3TestSupport.python(
                python, "",
                [
                    S3TestSupport.peerScript, "boto3-fetch", url, S3Settings.defaultAccessKey,
                    S3Settings.defaultSecretKey,
                    "flatfiles", S3TestSupport.march2024, directory + "/boto3.csv.gz",
                ])
            let ours = try await S3TestSupport.client(endpoint: url).download(
                key: S3TestSupport.march2024 + "2024-03-01.csv.gz", to: directory + "/ours.csv.gz")
            return (answer, ours)
        }
        struct Fetch: Decodable {
            var keys: [String]
            var sizes: [Int]
            var pages: Int
        }
        let fetch = try JSONDecoder().decode(Fetch.self, from: Data(answer.utf8))
        #expect(fetch.keys.count == 20 && fetch.pages == 10)
        #expect(fetch.keys.first == S3TestSupport.march2024 + "2024-03-01.csv.gz" && fetch.sizes.first == ours.size)
        let boto = try Data(contentsOf: URL(fileURLWithPath: directory + "/boto3.csv.gz"))
        #expect(boto == (try Data(contentsOf: URL(fileURLWithPath: ours.path))))
        #expect(sandbox.statistics["s3.denied"] == 0)
    }
}

/// A `moto_server` child process on a free loopback port, checking signatures once the first
/// `unauthenticatedActions` requests have been served.
enum MotoServer {
    static func withRunning(python: String, unauthenticatedActions: Int, _ body: (String) async throws -> Void)
        async throws
    {
        let port = try await S3TestSupport.python(
            python, "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])", []
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-m", "moto.server", "-H", "127.0.0.1", "-p", port]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "INITIAL_NO_AUTH_ACTION_COUNT": "\(unauthenticatedActions)"
        ]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let endpoint = "http://127.0.0.1:\(port)"
        do {
            try await waitUntilUp(endpoint + "/moto-api/data.json")
            try await body(endpoint)
        } catch {
            await stop(process)
            throw error
        }
        await stop(process)
    }

    /// SIGTERM, then wait without blocking a cooperative thread (SIGKILL after 5 s).
    private static func stop(_ process: Process) async {
        process.terminate()
        for _ in 0..<50 where ChildExit.isRunning(process) { try? await Task.sleep(for: .milliseconds(100)) }
        if ChildExit.isRunning(process) { _ = try? await ChildExit.kill9(process) }
    }

    private static func waitUntilUp(_ url: String) async throws {
        for _ in 0..<200 {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(2)),
                response.status.code < 500
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw S3TestSupport.PythonFailure(message: "moto_server did not start on \(url)")
    }
}
