import Dispatch
import Foundation
import Synchronization

/// Ctrl-C handling: the first SIGINT (or SIGTERM) asks the run to stop after the chunks in flight,
/// which commit or roll back whole; a second one exits at once (SQLite's journal keeps the file
/// consistent either way).
enum SignalHandling {
    static func onInterrupt(_ handler: @escaping @Sendable () -> Void) -> SignalSubscription {
        let count = ManagedCounter()
        let sources = [SIGINT, SIGTERM].map { signalNumber -> any DispatchSourceSignal in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler {
                if count.increment() > 1 { exit(130) }
                handler()
            }
            source.resume()
            return source
        }
        return SignalSubscription(sources: sources)
    }
}

/// Keeps the signal sources alive until cancelled.
final class SignalSubscription: @unchecked Sendable {
    // Dispatch sources are thread-safe; the array itself is never mutated after init.
    private let sources: [any DispatchSourceSignal]

    init(sources: [any DispatchSourceSignal]) {
        self.sources = sources
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}

/// A counter touched only from the main dispatch queue.
final class ManagedCounter: @unchecked Sendable {
    // Only mutated from DispatchQueue.main (the signal sources' queue), so no lock is needed.
    private var value = 0
    func increment() -> Int {
        value += 1
        return value
    }
}

/// Remembers an interrupt and runs the action registered for it: at once when the interrupt came
/// before the action was registered (Ctrl-C during the reference phase stops the bars before they start).
final class InterruptLatch: Sendable {
    private let state = Mutex<(fired: Bool, action: (@Sendable () -> Void)?)>((false, nil))

    var isFired: Bool { state.withLock { $0.fired } }

    func fire() {
        let action = state.withLock { state -> (@Sendable () -> Void)? in
            state.fired = true
            return state.action
        }
        action?()
    }

    func onFire(_ action: @escaping @Sendable () -> Void) {
        let fired = state.withLock { state -> Bool in
            state.action = action
            return state.fired
        }
        if fired { action() }
    }
}
