import Foundation
import Synchronization

/// Waits for child processes with `waitpid`, not Foundation's `isRunning`/`waitUntilExit`: on Linux,
/// with many children started concurrently, Foundation can miss an exit (the child stays a zombie,
/// `isRunning` stays true), and `waitUntilExit` then spins a run loop on a cooperative thread,
/// starving every other test. Here an exit is seen however it happened, and waiting never blocks.
enum ChildExit {
    struct Status: Equatable, CustomStringConvertible {
        /// The exit code, or 128 + the signal's number when a signal ended it.
        var code: Int32
        /// The signal that ended it, if any.
        var signal: Int32?

        var description: String { signal.map { "killed by signal \($0)" } ?? "exit \(code)" }
    }

    private static let reaped = Mutex<[Int32: Status]>([:])

    /// The child's exit status, or nil while it runs.
    static func poll(_ process: Process) -> Status? {
        let pid = process.processIdentifier
        if let known = reaped.withLock({ $0[pid] }) { return known }
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        if result == pid {
            let signal = raw & 0x7f
            let status =
                signal == 0 ? Status(code: (raw >> 8) & 0xff, signal: nil) : Status(code: 128 + signal, signal: signal)
            reaped.withLock { $0[pid] = status }
            return status
        }
        // Foundation reaped it first: its own status is then final.
        if result == -1 && errno == ECHILD && !process.isRunning {
            let signaled = process.terminationReason == .uncaughtSignal
            return Status(
                code: signaled ? 128 + process.terminationStatus : process.terminationStatus,
                signal: signaled ? process.terminationStatus : nil)
        }
        return nil
    }

    static func isRunning(_ process: Process) -> Bool { poll(process) == nil }

    /// Waits (without blocking a thread) until the child ends; after `timeout` it is killed and
    /// nil is returned.
    static func wait(_ process: Process, timeout: Duration = .seconds(300)) async throws -> Status? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = poll(process) { return status }
            if ContinuousClock.now > deadline {
                kill(process.processIdentifier, SIGKILL)
                while poll(process) == nil { try await Task.sleep(for: .milliseconds(20)) }
                return nil
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits on this thread, polling, for a child known to be ending (its output pipes closed, or
    /// just killed); for synchronous helpers.
    static func waitBlocking(_ process: Process) -> Status {
        while true {
            if let status = poll(process) { return status }
            usleep(5_000)
        }
    }

    /// Kills the child with SIGKILL and waits until it is gone.
    static func kill9(_ process: Process) async throws -> Status? {
        kill(process.processIdentifier, SIGKILL)
        return try await wait(process, timeout: .seconds(30))
    }
}
