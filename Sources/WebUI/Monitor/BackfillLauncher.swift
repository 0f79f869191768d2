import BackfillCore
import Foundation
import HTTPTypes
import MessageBus
import Synchronization

/// Runs one `scraper` backfill at a time as a child process for the monitor page: started with an
/// argument list (never a shell) and `--log-format json`, its output in a log file read as it grows
/// (``BackfillProgressLog``), its exit found with `waitpid`, stopped with SIGINT (scraper finishes
/// the chunks in flight and records the run), then SIGKILL.
public final class BackfillLauncher: Sendable {
    /// What the monitor asks for; checked before anything runs.
    public struct Request: Sendable, Equatable {
        public var tickers: [String]
        public var years: Int
        public var sandbox: Bool
        public var minute: Bool
        public var news: Bool
        /// When set, `scraper repair` of these sessions (only those the ledger lists as missing or
        /// partial are fetched) instead of a backfill of `years`.
        public var repair: DayRange?
        /// `scraper live` of the tickers (until stopped) instead of a backfill.
        public var live: Bool
        /// The phases to run (`--phases`, e.g. `daily,minute`); nil: all, less minute and news as
        /// ``minute`` and ``news`` say.
        public var phases: String?
        /// Daily and minute bars from the day files (`--flatfiles`: S3 with the POLYGON_S3_* keys, or
        /// the sandbox's S3), REST for the rest.
        public var flatFiles: Bool

        public init(
            tickers: [String], years: Int, sandbox: Bool, minute: Bool = true, news: Bool = true,
            repair: DayRange? = nil, live: Bool = false, phases: String? = nil, flatFiles: Bool = false
        ) {
            self.live = live
            self.phases = phases
            self.flatFiles = flatFiles
            self.tickers = tickers
            self.years = years
            self.sandbox = sandbox
            self.minute = minute
            self.news = news
            self.repair = repair
        }

        /// The scraper's arguments.
        func arguments(database: String) -> [String] {
            let tickers = ["--tickers", self.tickers.joined(separator: ",")]
            let output = ["--db", database, "--log-format", "json"]
            if live { return ["live"] + tickers + output + (sandbox ? ["--sandbox"] : []) }
            if let repair {
                let range = ["--from", repair.first.description, "--to", repair.last.description]
                return ["repair"] + tickers + range + output + (sandbox ? ["--sandbox"] : [])
            }
            var arguments = tickers + ["--years", String(years)] + output
            if sandbox { arguments.append("--sandbox") }
            if flatFiles { arguments.append("--flatfiles") }
            if let phases {
                arguments += ["--phases", phases]
            } else {
                if !minute { arguments.append("--skip-minute") }
                if !news { arguments.append("--skip-news") }
            }
            return arguments
        }
    }

    /// The current or last run.
    public struct Status: Sendable, Equatable {
        public var running: Bool
        public var arguments: [String]
        public var startedAtMs: Int64?
        /// Exit code, or 128 + signal; nil while running or before any run.
        public var exitCode: Int32?
        /// The run's output other than progress events (its last lines).
        public var log: String
        /// Progress events over time (rates, requests, retries, 429s, ETA).
        var progress: [BackfillProgressLog.Sample] = []
    }

    /// Not Sendable (it holds the Process); only touched inside `child`'s lock.
    private struct Child {
        var process: Process
        var pid: pid_t
        var arguments: [String]
        var startedAtMs: Int64
        var log: URL
        var exitCode: Int32?
        var interrupted = false
        var output = BackfillProgressLog()
    }

    /// The `scraper` executable to run.
    public let executable: URL
    /// The warehouse it writes (the gui's own), as its `--db`: a path or a URL without password.
    public let database: String
    /// Added to the child's environment: a PostgreSQL password (`DB_PASSWORD`) goes here, since a
    /// command line is visible to every user in `ps`.
    let environment: [String: String]
    private let folder: URL
    private let child = Mutex<Child?>(nil)

    /// Where the child announces stored chunks: `["--bus", "redis"]` and the like for a bus the gui
    /// listens on too; empty with ``relay``, which passes `--bus log`.
    let busArguments: [String]
    /// The gui's own in-process bus: the child's `--bus log` lines are published there, within
    /// ``relayInterval`` of being written, so open charts see a backfill the gui started.
    let relay: (any MessageBus)?
    static let relayInterval = Duration.milliseconds(100)

    /// - Parameters:
    ///   - database: the child's `--db`: a path, or a PostgreSQL URL without the password.
    ///   - environment: added to the child's environment (a PostgreSQL password as `DB_PASSWORD`).
    ///   - busArguments: the child's `--bus` for a bus shared between processes (Redis, PostgreSQL).
    ///   - relay: the gui's in-process bus, fed from the child's log (then `busArguments` is ignored).
    public init(
        executable: URL, database: String, environment: [String: String] = [:], busArguments: [String] = [],
        relay: (any MessageBus)? = nil
    ) {
        self.executable = executable
        self.database = database
        self.environment = environment
        self.busArguments = relay == nil ? busArguments : ["--bus", "log"]
        self.relay = relay
        self.folder = FileManager.default.temporaryDirectory.appendingPathComponent("backfill-gui-\(UUID().uuidString)")
    }

    /// Starts a backfill. - Throws: ``APIError`` when one is running or the executable is missing.
    public func start(_ request: Request) throws -> Status {
        _ = refresh()
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw APIError("cannot start a backfill: no scraper executable at \(executable.path)", status: .conflict)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("backfill-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let arguments = request.arguments(database: database) + busArguments
        try child.withLock { child in
            if let current = child, current.exitCode == nil {
                throw APIError("a backfill is already running (pid \(current.pid)); stop it first", status: .conflict)
            }
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            if !environment.isEmpty {
                process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            }
            // One descriptor for both streams: two would each write from offset 0 over the other.
            let output = try FileHandle(forWritingTo: log)
            process.standardOutput = output
            process.standardError = output
            process.standardInput = FileHandle.nullDevice
            try process.run()
            child = Child(
                process: process, pid: process.processIdentifier, arguments: arguments,
                startedAtMs: Int64(Date().timeIntervalSince1970 * 1_000), log: log)
        }
        if let relay { Task { await self.relayWhileRunning(to: relay) } }
        return status()
    }

    /// Publishes the child's `bus` lines on `relay` until it exits (then once more, for the last).
    private func relayWhileRunning(to relay: any MessageBus) async {
        while true {
            let running = refresh()?.exitCode == nil
            let messages = child.withLock { child -> [BusMessage] in
                guard var current = child else { return [] }
                current.output.read(current.log)
                defer { child = current }
                return current.output.takeBusMessages()
            }
            for message in messages { await relay.publish(message) }
            guard running else { return }
            try? await Task.sleep(for: Self.relayInterval)
        }
    }

    /// Asks the running backfill to stop: SIGINT the first time, SIGKILL after.
    public func stop() -> Status {
        _ = refresh()
        child.withLock { child in
            guard let current = child, current.exitCode == nil else { return }
            kill(current.pid, current.interrupted ? SIGKILL : SIGINT)
            child?.interrupted = true
        }
        return status()
    }

    /// The current or last run, with its progress and the end of its log.
    public func status() -> Status {
        _ = refresh()
        return child.withLock { child in
            guard var current = child else {
                return Status(running: false, arguments: [], startedAtMs: nil, exitCode: nil, log: "")
            }
            current.output.read(current.log)
            child = current
            return Status(
                running: current.exitCode == nil, arguments: current.arguments, startedAtMs: current.startedAtMs,
                exitCode: current.exitCode, log: current.output.lines.joined(separator: "\n"),
                progress: current.output.samples)
        }
    }

    /// Reaps the child if it exited (non-blocking `waitpid` on its pid only).
    private func refresh() -> Child? {
        child.withLock { child in
            guard let current = child, current.exitCode == nil else { return child }
            var status: Int32 = 0
            let result = waitpid(current.pid, &status, WNOHANG)
            if result == current.pid {
                let signal = status & 0x7F
                child?.exitCode = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
            } else if result < 0 && errno == ECHILD && !current.process.isRunning {
                // Foundation reaped it first: its own record of the exit is then final.
                let signaled = current.process.terminationReason == .uncaughtSignal
                child?.exitCode = (signaled ? 128 : 0) + current.process.terminationStatus
            }
            return child
        }
    }

    deinit {
        let running = child.withLock { $0?.exitCode == nil ? $0?.pid : nil }
        if let running { kill(running, SIGINT) }
    }
}
