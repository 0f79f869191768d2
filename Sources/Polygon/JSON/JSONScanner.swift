import Foundation

/// A forward-only JSON reader over bytes, for the hot decoding paths (a page of 50,000 bars), where
/// `JSONDecoder` spends most of its time on generic machinery. It reads exactly RFC 8259 JSON;
/// anything else is a ``JSONScanner/Failure`` carrying the byte offset.
struct JSONScanner {
    struct Failure: Error, Equatable {
        var offset: Int
        var reason: String
    }

    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { offset >= bytes.count }
    var currentByte: UInt8 { bytes[offset] }
    mutating func advance() { offset += 1 }

    func bytes(_ start: Int, _ end: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// Skips one value of any kind (for fields this reader does not need).
    mutating func skipValue(depth: Int = 0) throws(Failure) {
        guard depth < 64 else { throw fail("nesting too deep") }
        switch try peek() {
        case UInt8(ascii: "{"):
            offset += 1
            if try consume(UInt8(ascii: "}")) { return }
            repeat {
                _ = try keyHash()
                try expect(UInt8(ascii: ":"))
                try skipValue(depth: depth + 1)
            } while try consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            offset += 1
            if try consume(UInt8(ascii: "]")) { return }
            repeat { try skipValue(depth: depth + 1) } while try consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"))
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try double()
        }
    }

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    /// The next non-blank byte without consuming it.
    mutating func peek() throws(Failure) -> UInt8 {
        skipWhitespace()
        guard offset < bytes.count else { throw fail("unexpected end of input") }
        return bytes[offset]
    }

    mutating func expect(_ byte: UInt8) throws(Failure) {
        guard try peek() == byte else { throw fail("expected '\(Character(UnicodeScalar(byte)))'") }
        offset += 1
    }

    /// Consumes `byte` if it is next.
    mutating func consume(_ byte: UInt8) throws(Failure) -> Bool {
        guard try peek() == byte else { return false }
        offset += 1
        return true
    }

    /// Consumes `null` if it is next.
    mutating func consumeNull() throws(Failure) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count else { throw fail("unexpected end of input") }
        for index in 0..<count where bytes[offset + index] != word.utf8Start[index] {
            throw fail("invalid literal")
        }
        offset += count
    }

    mutating func bool() throws(Failure) -> Bool {
        if try peek() == UInt8(ascii: "t") {
            try literal("true")
            return true
        }
        try literal("false")
        return false
    }

    /// A string value, escapes decoded.
    mutating func string() throws(Failure) -> String {
        try expect(UInt8(ascii: "\""))
        let start = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
                offset += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if byte < 0x20 { throw fail("control character in string") }
            offset += 1
        }
        throw fail("unterminated string")
    }

    /// FNV-1a hash of the next string (an object key), computed without allocating; keys with
    /// escapes are decoded first. Callers compare it with ``hash(_:)`` of the keys they know.
    mutating func keyHash() throws(Failure) -> UInt64 {
        try expect(UInt8(ascii: "\""))
        let start = offset
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                offset += 1
                return hash
            }
            if byte == UInt8(ascii: "\\") {
                offset = start - 1
                return Self.hash(try string())
            }
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            offset += 1
        }
        throw fail("unterminated string")
    }

    static func hash(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    private mutating func escapedString(from start: Int) throws(Failure) -> String {
        var scalars = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<offset]))
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"): try appendEscape(to: &scalars)
            default: scalars.append(byte)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func appendEscape(to output: inout [UInt8]) throws(Failure) {
        guard offset < bytes.count else { throw fail("unterminated escape") }
        let byte = bytes[offset]
        offset += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(byte)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xD800..<0xDC00).contains(code), offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"),
                bytes[offset + 1] == UInt8(ascii: "u")
            {
                offset += 2
                let low = try hex4()
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            output.append(contentsOf: String(Character(UnicodeScalar(code) ?? "\u{FFFD}")).utf8)
        default: throw fail("invalid escape")
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw fail("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case 48...57: digit = byte - 48
            case 65...70: digit = byte - 55
            case 97...102: digit = byte - 87
            default: throw fail("bad hex digit")
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }

    func fail(_ reason: String) -> Failure {
        Failure(offset: offset, reason: reason)
    }
}
