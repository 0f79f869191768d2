import Foundation
import Storage

/// A bounded hand-over of day-file pieces from the decoding thread to the store's writing thread:
/// the decoder waits when `capacity` pieces are queued, so memory stays bounded however large the
/// file; the writer waits when none is ready.
///
/// `@unchecked Sendable`: every stored property is read and written only while `condition` is locked.
final class DayFileChannel: DayFileFeed, @unchecked Sendable {
    private enum Item {
        case piece(DayFilePiece)
        case failure(any Error)
    }

    private let condition = NSCondition()
    private let capacity: Int
    private var items: [Item] = []
    private var closed = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Waits for room; returns false when the writer has gone (stop decoding).
    func send(_ piece: DayFilePiece) -> Bool {
        enqueue(.piece(piece))
    }

    /// Hands the writer the reason the file cannot be stored; it rolls back.
    func fail(_ error: any Error) {
        _ = enqueue(.failure(error))
    }

    private func enqueue(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !closed { condition.wait() }
        if closed { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    func next() throws -> DayFilePiece {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        if items.isEmpty { throw CancellationError() }
        let item = items.removeFirst()
        condition.broadcast()
        switch item {
        case .piece(let piece): return piece
        case .failure(let error): throw error
        }
    }

    /// The writer stops listening: pending and later sends return false.
    func close() {
        condition.lock()
        closed = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
