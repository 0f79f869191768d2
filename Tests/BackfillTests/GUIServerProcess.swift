import Foundation

/// The built `gui` binary as a child process on a free loopback port.
final class GUIServerProcess: Sendable {
    let process: Process
    /// `http://127.0.0.1:PORT`
    let baseURL: String
    let output: URL

    /// The debug build's `gui`, or `BACKFILL_BENCH_GUI` (a release build, for the browser benchmark).
    static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["BACKFILL_BENCH_GUI"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return ScraperCLITests.executable.deletingLastPathComponent().appendingPathComponent("gui")
    }

    /// Starts `gui --db database --port 0` plus `arguments`; waits for the URL it prints.
    static func start(database: String, arguments: [String] = [], environment: [String: String] = [:]) async throws
        -> GUIServerProcess
    {
        let directory = try TestSupport.temporaryDirectory()
        let output = directory.appendingPathComponent("gui.out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--db", database, "--port", "0"] + arguments
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path].merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: output)
        try process.run()
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, ChildExit.isRunning(process) {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("gui: open http://") }) {
                let url = line.dropFirst("gui: open ".count).trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
                return GUIServerProcess(process: process, baseURL: url, output: output)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        if ChildExit.isRunning(process) { kill(process.processIdentifier, SIGKILL) }
        _ = ChildExit.waitBlocking(process)
        throw GUITestFailure(
            message: "gui did not start: \((try? String(contentsOf: output, encoding: .utf8)) ?? "")")
    }

    /// Runs `gui` with `arguments` until it exits (for a start it must refuse): its exit code (nil
    /// if it was still running after 60 s) and what it printed, standard output and error together.
    /// - Parameter environment: the whole environment; nil inherits this process's.
    static func runToExit(_ arguments: [String], environment: [String: String]? = nil) async throws
        -> (code: Int32?, printed: String)
    {
        let output = try TestSupport.temporaryDirectory().appendingPathComponent("gui.out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: output)
        try process.run()
        let exit = try await ChildExit.wait(process, timeout: .seconds(60))
        return (exit?.code, try String(contentsOf: output, encoding: .utf8))
    }

    private init(process: Process, baseURL: String, output: URL) {
        self.process = process
        self.baseURL = baseURL
        self.output = output
    }

    var printed: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    func stop() {
        if ChildExit.isRunning(process) { kill(process.processIdentifier, SIGKILL) }
        _ = ChildExit.waitBlocking(process)
    }

    deinit { stop() }
}
