/// A fixed-capacity window of the most recent values, oldest overwritten first.
///
/// Storage is one preallocated array, so pushing is O(1) with no allocation after `init`.
public struct RingBuffer: Sendable, Equatable, Codable {
    /// The values; slot `next` holds the oldest once the buffer is full.
    var storage: [Double]
    /// The slot the next push writes.
    var next: Int
    /// How many values have been pushed, capped at `capacity`.
    public private(set) var count: Int

    /// Creates an empty window holding at most `capacity` values (at least 1).
    public init(capacity: Int) {
        precondition(capacity >= 1, "a ring buffer needs room for at least one value")
        storage = Array(repeating: 0, count: capacity)
        next = 0
        count = 0
    }

    /// The maximum number of values held.
    public var capacity: Int { storage.count }

    /// Whether `capacity` values are held.
    public var isFull: Bool { count == storage.count }

    /// The oldest value held, or the value the next push will evict once full.
    public var oldest: Double {
        isFull ? storage[next] : storage[0]
    }

    /// Appends `value`, evicting the oldest value when full.
    @inline(__always)
    public mutating func push(_ value: Double) {
        storage[next] = value
        next += 1
        if next == storage.count { next = 0 }
        if count < storage.count { count += 1 }
    }

    /// The values held, oldest first.
    public var elements: [Double] {
        isFull ? Array(storage[next...] + storage[..<next]) : Array(storage[..<count])
    }

    /// Empties the window, keeping its capacity.
    public mutating func removeAll() {
        for index in storage.indices { storage[index] = 0 }
        next = 0
        count = 0
    }
}
