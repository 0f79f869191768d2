import BackfillCore
import Testing

@Suite("FileTask state machine")
struct FileTaskTests {
    static let events: [FileTask.Event] = [
        .start, .downloaded, .processed(rows: 3), .failed(message: "x", retryable: true),
        .failed(message: "x", retryable: false), .retryRequested,
    ]

    /// Every (state, event) pair: the legal ones move as documented, every other one is refused
    /// and leaves the task untouched.
    @Test(arguments: FileTask.State.allCases)
    func everyEventInEveryState(state: FileTask.State) {
        for event in Self.events {
            var task = FileTask(state: state, retryCount: 0, lastError: nil, rows: 0, maxAttempts: 3)
            let before = task
            let legal: FileTask.State? = Self.expectedNextState(state, event)
            do {
                _ = try task.apply(event)
                #expect(legal != nil, "\(event) must be refused in \(state)")
                #expect(task.state == legal)
            } catch {
                #expect(legal == nil, "\(event) must be allowed in \(state)")
                #expect(task == before)
                #expect(error.state == state)
            }
        }
    }

    static func expectedNextState(_ state: FileTask.State, _ event: FileTask.Event) -> FileTask.State? {
        switch (state, event) {
        case (.pending, .start): return .downloading
        case (.downloading, .downloaded): return .processing
        case (.processing, .processed): return .done
        case (.downloading, .failed(_, let retryable)), (.processing, .failed(_, let retryable)):
            return retryable ? .pending : .failed
        case (.failed, .retryRequested): return .pending
        default: return nil
        }
    }

    @Test func happyPathRecordsRows() throws {
        var task = FileTask()
        #expect(try task.apply(.start) == .fetch)
        #expect(try task.apply(.downloaded) == .process)
        #expect(try task.apply(.processed(rows: 42)) == .record(rows: 42))
        #expect(task.state == .done && task.rows == 42 && task.isFinished)
    }

    @Test func retryableFailuresRetryUntilAttemptsRunOut() throws {
        var task = FileTask(maxAttempts: 3)
        _ = try task.apply(.start)
        #expect(try task.apply(.failed(message: "429", retryable: true)) == .scheduleRetry(attempt: 2))
        _ = try task.apply(.start)
        #expect(try task.apply(.failed(message: "502", retryable: true)) == .scheduleRetry(attempt: 3))
        _ = try task.apply(.start)
        #expect(try task.apply(.failed(message: "503", retryable: true)) == .giveUp(message: "503"))
        #expect(task.state == .failed && task.lastError == "503" && task.retryCount == 3)
    }

    @Test func permanentFailureGivesUpAtOnceAndRetryRequestedStartsOver() throws {
        var task = FileTask(maxAttempts: 5)
        _ = try task.apply(.start)
        _ = try task.apply(.downloaded)
        #expect(
            try task.apply(.failed(message: "missing field", retryable: false)) == .giveUp(message: "missing field"))
        #expect(try task.apply(.retryRequested) == .fetch)
        #expect(task.state == .pending && task.retryCount == 0)
    }

    @Test func doneIsFinal() throws {
        var task = FileTask()
        _ = try task.apply(.start)
        _ = try task.apply(.downloaded)
        _ = try task.apply(.processed(rows: 1))
        #expect(throws: FileTask.IllegalTransition.self) { try task.apply(.start) }
        #expect(throws: FileTask.IllegalTransition.self) { try task.apply(.retryRequested) }
    }
}
