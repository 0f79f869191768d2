/// An incremental technical indicator: one bar in, at most one value out, O(1) work per bar.
///
/// Conforming types are value types whose whole state is `Codable`, so a live run can resume from
/// a stored snapshot instead of recomputing history. Batch mode (``values(over:)``) is a fold over
/// ``update(_:)``; there is no second implementation to drift from the incremental one.
public protocol Indicator: Sendable, Equatable, Codable {
    /// What the indicator produces for a bar once warmed up.
    associatedtype Value: Sendable, Equatable

    /// Feeds the next bar (in time order) and returns the value at that bar, or nil during warm-up.
    mutating func update(_ bar: Bar) -> Value?

    /// Whether the last update produced a value (the warm-up is over).
    var isReady: Bool { get }

    /// Forgets every bar seen, returning to the freshly initialised state.
    mutating func reset()
}

extension Indicator {
    /// Runs the indicator over `bars` from its current state and returns one entry per bar.
    ///
    /// - Parameter bars: bars in time order.
    /// - Returns: the value at each bar, nil where the indicator was still warming up.
    public func values(over bars: some Sequence<Bar>) -> [Value?] {
        var copy = self
        return bars.map { copy.update($0) }
    }
}
