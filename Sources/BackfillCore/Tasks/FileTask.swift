/// The lifecycle of one unit of backfill work (a day file, or a symbol's date chunk over REST).
///
/// A pure state machine in the style of postgres-nio's connection state machine: the caller feeds
/// an ``Event`` in, gets an ``Action`` out and does the I/O. Illegal moves are reported, never
/// silently accepted, so a bookkeeping bug cannot mark unfetched data as done.
public struct FileTask: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Equatable, Codable, CaseIterable {
        case pending, downloading, processing, done, failed
    }

    public enum Event: Sendable, Equatable {
        /// The worker begins fetching.
        case start
        /// The payload arrived in full.
        case downloaded
        /// The payload was decoded and stored; `rows` were written.
        case processed(rows: Int)
        /// Something failed; `retryable` says whether another attempt can help.
        case failed(message: String, retryable: Bool)
        /// A user asked to run failed work again (`--retry-failed`).
        case retryRequested
    }

    public enum Action: Sendable, Equatable {
        case fetch
        case process
        case record(rows: Int)
        /// Try again; `attempt` is the number of the next attempt (2 for the first retry).
        case scheduleRetry(attempt: Int)
        case giveUp(message: String)
    }

    public struct IllegalTransition: Error, Sendable, Equatable, CustomStringConvertible {
        public var state: State
        public var event: Event
        public var description: String { "task event \(event) is not allowed in state \(state.rawValue)" }
    }

    public private(set) var state: State
    /// Failed attempts so far in this round (reset by `retryRequested`).
    public private(set) var retryCount: Int
    public private(set) var lastError: String?
    public private(set) var rows: Int
    /// Attempts allowed before a retryable failure becomes final.
    public let maxAttempts: Int

    public init(maxAttempts: Int = 5) {
        precondition(maxAttempts >= 1, "a task needs at least one attempt")
        self.state = .pending
        self.retryCount = 0
        self.lastError = nil
        self.rows = 0
        self.maxAttempts = maxAttempts
    }

    /// Restores a task read back from storage.
    public init(state: State, retryCount: Int, lastError: String?, rows: Int, maxAttempts: Int) {
        self.state = state
        self.retryCount = retryCount
        self.lastError = lastError
        self.rows = rows
        self.maxAttempts = maxAttempts
    }

    public var isFinished: Bool { state == .done || state == .failed }

    /// Applies `event` and returns what the caller must do next.
    public mutating func apply(_ event: Event) throws(IllegalTransition) -> Action {
        switch (state, event) {
        case (.pending, .start):
            state = .downloading
            return .fetch
        case (.downloading, .downloaded):
            state = .processing
            return .process
        case (.processing, .processed(let rows)):
            state = .done
            self.rows = rows
            lastError = nil
            return .record(rows: rows)
        case (.downloading, .failed(let message, let retryable)), (.processing, .failed(let message, let retryable)):
            lastError = message
            retryCount += 1
            if retryable && retryCount < maxAttempts {
                state = .pending
                return .scheduleRetry(attempt: retryCount + 1)
            }
            state = .failed
            return .giveUp(message: message)
        case (.failed, .retryRequested):
            state = .pending
            retryCount = 0
            return .fetch
        default:
            throw IllegalTransition(state: state, event: event)
        }
    }
}
