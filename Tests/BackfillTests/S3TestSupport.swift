import BackfillCore
import Foundation
import Logging
import Polygon
import PolygonSandbox

/// A sandbox with a small flat-file universe (quick to generate in debug builds) and S3 clients for it.
enum S3TestSupport {
    static let march2024 = "us_stocks_sip/day_aggs_v1/2024/03/"
    static let minuteKey = "us_stocks_sip/minute_aggs_v1/2024/03/2024-03-15.csv.gz"
    static let dayKey = "us_stocks_sip/day_aggs_v1/2024/03/2024-03-15.csv.gz"

    static func sandbox(faults: FaultInjector = FaultInjector(), tickers: Int = 12) -> SandboxServer {
        var configuration = SandboxConfiguration(
            faults: faults, nowMs: { TestSupport.nowMs }, logger: TestSupport.quietLogger)
        configuration.s3 = S3Settings(tickerCount: tickers, firstDate: LocalDate(year: 2024, month: 1, day: 2)!)
        return SandboxServer(configuration: configuration)
    }

    static func client(
        endpoint: String, accessKey: String = S3Settings.defaultAccessKey,
        secretKey: String = S3Settings.defaultSecretKey,
        bucket: String = S3Settings.defaultBucket, attempts: Int = 4
    ) -> S3Client {
        S3Client(
            configuration: S3Configuration(
                endpoint: endpoint, bucket: bucket, accessKey: accessKey, secretKey: secretKey, maxAttempts: attempts,
                retryDelay: 0.01),
            logger: TestSupport.quietLogger)
    }

    /// The `.venv-peers` made by `scripts/peers-venv.sh`, or nil (tests then skip and say why).
    static var peersPython: String? {
        let path =
            ProcessInfo.processInfo.environment["PEERS_S3_VENV"].map { $0 + "/bin/python" }
            ?? TestSupport.repositoryRoot.appendingPathComponent(".venv-peers/bin/python").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    static let skipReason = "no .venv-peers: run scripts/peers-venv.sh (CI does) to test against moto and boto3"

    /// Runs `python -c script args…` (or `python args…` when `script` is empty), returning stdout; throws with stderr when it fails.
    static func runPython(
        _ python: String, _ script: String, _ arguments: [String], environment: [String: String] = [:]
    )
        throws -> String
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = (script.isEmpty ? [] : ["-c", script]) + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        guard ChildExit.waitBlocking(process).code == 0 else {
            throw PythonFailure(message: String(decoding: errors, as: UTF8.self))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `runPython` on a thread of its own, so a waiting child never holds a cooperative-pool thread
    /// the in-process sandbox may need.
    static func python(_ python: String, _ script: String, _ arguments: [String], environment: [String: String] = [:])
        async throws -> String
    {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try runPython(python, script, arguments, environment: environment) })
            }.start()
        }
    }

    static var peerScript: String { TestSupport.repositoryRoot.appendingPathComponent("scripts/peers/s3_peer.py").path }

    struct PythonFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { "python failed: \(message)" }
    }
}
