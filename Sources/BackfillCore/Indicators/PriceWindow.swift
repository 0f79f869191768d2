/// A fixed-capacity window of the most recent closes, oldest overwritten first.
///
/// Storage is one preallocated array, so pushing is O(1) with no allocation after `init`. Internal:
/// ``SMA`` owns one and ``BollingerBands`` reads its SMA's.
struct PriceWindow: Sendable, Equatable, Codable {
    /// The values; slot `next` holds the oldest once the buffer is full.
    var storage: [Double]
    /// The slot the next push writes.
    var next: Int
    /// How many values have been pushed, capped at `capacity`.
    private(set) var count: Int

    /// Creates an empty window holding at most `capacity` values (at least 1).
    init(capacity: Int) {
        precondition(capacity >= 1, "a price window needs room for at least one value")
        storage = Array(repeating: 0, count: capacity)
        next = 0
        count = 0
    }

    /// Whether `capacity` values are held.
    var isFull: Bool { count == storage.count }

    /// The oldest value held: the one the next push evicts once full.
    var oldest: Double {
        isFull ? storage[next] : storage[0]
    }

    /// Appends `value`, evicting the oldest value when full.
    @inline(__always)
    mutating func push(_ value: Double) {
        storage[next] = value
        next += 1
        if next == storage.count { next = 0 }
        if count < storage.count { count += 1 }
    }
}
