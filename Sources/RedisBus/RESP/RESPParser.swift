import NIOCore

/// Incremental RESP2/RESP3 parser. `parse(_:)` returns nil and leaves the buffer untouched while a
/// reply is incomplete, so a reply split across any number of reads is decoded once it is whole.
public struct RESPParser: Sendable {
    typealias Bytes = UnsafeRawBufferPointer

    /// Bulk strings and aggregates larger than this are a protocol error (Redis's own cap is 512 MB).
    public var maximumLength: Int
    /// Nesting deeper than this is a protocol error rather than a stack overflow.
    public var maximumDepth: Int

    public init(maximumLength: Int = 512 * 1_024 * 1_024, maximumDepth: Int = 32) {
        self.maximumLength = maximumLength
        self.maximumDepth = maximumDepth
    }

    /// Decodes one whole reply from the front of `buffer` and consumes it, or returns nil (consuming
    /// nothing) when more bytes are needed.
    /// - Throws: `RedisBusError` with code `.protocolError` on bytes that are not RESP.
    public func parse(_ buffer: inout ByteBuffer) throws(RedisBusError) -> RESPValue? {
        // Raw bytes rather than ByteBufferView: indexing stays cheap in debug builds too.
        let result = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(RedisBusError) in try parseValue(bytes, at: 0, depth: 0) }
        }
        guard case let (value, end)? = try result.get() else { return nil }
        buffer.moveReaderIndex(forwardBy: end)
        return value
    }

    private func parseValue(_ view: Bytes, at start: Int, depth: Int) throws(RedisBusError) -> (
        RESPValue, Int
    )? {
        guard depth <= maximumDepth else { throw .protocolError("replies nested deeper than \(maximumDepth)") }
        guard start < view.endIndex, case let (line, next)? = Self.line(view, from: start + 1) else { return nil }
        switch view[start] {
        case UInt8(ascii: "+"): return (.simpleString(line), next)
        case UInt8(ascii: "-"): return (.error(line), next)
        case UInt8(ascii: ":"): return (.integer(try Self.integer(line)), next)
        case UInt8(ascii: "_"): return (.null, next)
        case UInt8(ascii: "#"): return (.boolean(line == "t"), next)
        case UInt8(ascii: ","): return (.double(try Self.double(line)), next)
        case UInt8(ascii: "("): return (.bigNumber(line), next)
        case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
            return try blob(view, kind: view[start], length: line, from: next)
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"), UInt8(ascii: "|"):
            return try aggregate(view, kind: view[start], count: line, from: next, depth: depth)
        default:
            throw .protocolError("unexpected reply type byte \(view[start]) from Redis")
        }
    }

    private func blob(_ view: Bytes, kind: UInt8, length text: String, from start: Int)
        throws(RedisBusError) -> (RESPValue, Int)?
    {
        let length = try Self.integer(text)
        if length < 0 { return (.null, start) }
        guard length <= maximumLength else { throw .protocolError("bulk string of \(length) bytes") }
        let end = start + Int(length)
        guard end + 2 <= view.endIndex else { return nil }
        guard view[end] == 13, view[end + 1] == 10 else { throw .protocolError("bulk string not ended by CRLF") }
        var bytes = Array(Bytes(rebasing: view[start..<end]))
        switch kind {
        case UInt8(ascii: "!"): return (.error(String(decoding: bytes, as: UTF8.self)), end + 2)
        case UInt8(ascii: "="):
            if bytes.count >= 4, bytes[3] == UInt8(ascii: ":") { bytes.removeFirst(4) }
            return (.bulkString(bytes), end + 2)
        default: return (.bulkString(bytes), end + 2)
        }
    }

    private func aggregate(_ view: Bytes, kind: UInt8, count text: String, from start: Int, depth: Int)
        throws(RedisBusError) -> (RESPValue, Int)?
    {
        let declared = try Self.integer(text)
        if declared < 0 { return (.null, start) }
        let count = kind == UInt8(ascii: "%") || kind == UInt8(ascii: "|") ? declared * 2 : declared
        guard count <= maximumLength else { throw .protocolError("aggregate of \(count) elements") }
        var elements: [RESPValue] = []
        elements.reserveCapacity(Int(min(count, 1_024)))
        var index = start
        for _ in 0..<count {
            guard case let (element, next)? = try parseValue(view, at: index, depth: depth + 1) else { return nil }
            elements.append(element)
            index = next
        }
        switch kind {
        case UInt8(ascii: "~"): return (.set(elements), index)
        case UInt8(ascii: ">"): return (.push(elements), index)
        case UInt8(ascii: "%"): return (.map(elements), index)
        case UInt8(ascii: "|"):
            // An attribute annotates the reply that follows it; the reply is what the caller wants.
            return try parseValue(view, at: index, depth: depth + 1)
        default: return (.array(elements), index)
        }
    }

    /// The text up to the next CRLF and the index after it, or nil when no CRLF has arrived yet.
    private static func line(_ view: Bytes, from start: Int) -> (String, Int)? {
        var index = start
        while index + 1 < view.endIndex {
            if view[index] == 13 && view[index + 1] == 10 {
                return (String(decoding: Bytes(rebasing: view[start..<index]), as: UTF8.self), index + 2)
            }
            index += 1
        }
        return nil
    }

    private static func integer(_ text: String) throws(RedisBusError) -> Int64 {
        guard let value = Int64(text) else { throw .protocolError("'\(text.prefix(40))' is not an integer") }
        return value
    }

    private static func double(_ text: String) throws(RedisBusError) -> Double {
        switch text {
        case "inf": return .infinity
        case "-inf": return -.infinity
        case "nan": return .nan
        default:
            guard let value = Double(text) else { throw .protocolError("'\(text.prefix(40))' is not a double") }
            return value
        }
    }
}
