import Foundation

/// A bounded hand-over of decompressed chunks from one producer thread to one consumer thread,
/// with buffer recycling so a whole file reuses a handful of allocations.
///
/// `@unchecked Sendable`: every stored property is read and written only while `condition` is locked.
final class ChunkChannel: @unchecked Sendable {
    /// What the producer hands over: bytes holding whole lines, the end, or why it stopped.
    enum Item {
        /// `buffer.bytes[0..<count]` holds complete lines (the last chunk may end without a newline).
        case chunk(ChunkBuffer, count: Int)
        case end
        case failure(any Error)
    }

    private let condition = NSCondition()
    private let capacity: Int
    private var items: [Item] = []
    private var spare: [ChunkBuffer] = []
    private var consumerGone = false
    private var producerDone = false

    /// - Parameter capacity: chunks in flight before the producer waits (at least 1).
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Waits while the channel is full; returns false when the consumer has gone (stop producing).
    func send(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !consumerGone { condition.wait() }
        if consumerGone { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Waits for the next item.
    func receive() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// Gives a consumed buffer back for the producer to fill again.
    func recycle(_ buffer: ChunkBuffer) {
        condition.lock()
        if spare.count < capacity + 2 { spare.append(buffer) }
        condition.unlock()
    }

    /// A recycled buffer, or a new one of `size` bytes.
    func makeBuffer(size: Int) -> ChunkBuffer {
        condition.lock()
        let reused = spare.popLast()
        condition.unlock()
        if let reused, reused.bytes.count == size { return reused }
        return ChunkBuffer(capacity: size)
    }

    /// The consumer stops listening: a waiting or later `send` returns false.
    func close() {
        condition.lock()
        consumerGone = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// The producer's last act, so the consumer can wait for its thread to be done with the file.
    func markProducerDone() {
        condition.lock()
        producerDone = true
        condition.broadcast()
        condition.unlock()
    }

    func waitForProducer() {
        condition.lock()
        while !producerDone { condition.wait() }
        condition.unlock()
    }
}

/// A fixed block of memory that travels between the two threads, written by the producer and then
/// read by the consumer. A class over raw memory, so handing it over never copies (an `[UInt8]`
/// would copy-on-write whenever the other side still held a reference).
///
/// `@unchecked Sendable`: ownership passes through `ChunkChannel`; only one thread uses it at a time.
final class ChunkBuffer: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer

    init(capacity: Int) {
        bytes = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit {
        bytes.deallocate()
    }

    /// The first `count` bytes as UInt8s.
    func prefix(_ count: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
    }
}
