import Synchronization

/// Asks a flat-file run to stop after the day file in progress, which then commits whole.
///
/// Task cancellation would also reach the store's writer before it starts (GRDB checks it) and
/// leave a half-started day behind in the task table; this flag is checked only between days.
public final class StopRequest: Sendable {
    private let requested = Atomic<Bool>(false)

    public init() {}

    /// Asks the run to stop at the next day boundary.
    public func request() {
        requested.store(true, ordering: .relaxed)
    }

    public var isRequested: Bool { requested.load(ordering: .relaxed) }
}
