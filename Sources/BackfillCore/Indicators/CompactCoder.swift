import Foundation

/// A compact binary form of `Codable` values whose shape is fixed by their type: the indicator
/// engines' saved state, 10,000 of which a day file writes (Foundation's JSON coder spent longer on
/// them than SQLite spent storing the day's bars).
///
/// Values are written in the order the type encodes them, keys omitted: integers and doubles as 8
/// little-endian bytes, `Bool` as 1 byte, strings and arrays with a 4-byte count first, an
/// optional (`encodeIfPresent`) behind a presence byte. Reading needs the same type; keyed
/// containers cannot enumerate their keys (`allKeys` is empty), so enums with associated values are
/// not supported. The first byte is ``CompactCoder/magic``, which no JSON text starts with.
public enum CompactCoder {
    public static let magic: UInt8 = 0xB1

    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let writer = Writer()
        writer.bytes.append(magic)
        try value.encode(to: CompactEncoder(writer: writer))
        return writer.bytes
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        guard bytes.first == magic else { throw error("does not start with the compact-state marker") }
        let reader = Reader(bytes: bytes, offset: 1)
        let value = try T(from: CompactDecoder(reader: reader))
        guard reader.offset == bytes.count else {
            throw error("has \(bytes.count - reader.offset) bytes left over after a \(T.self)")
        }
        return value
    }

    /// Only `encodeIfPresent` can store an optional (behind its presence byte); a bare nil could
    /// not be told from a value on reading, so it is refused.
    static func nilError() -> EncodingError {
        EncodingError.invalidValue(
            Optional<Int>.none as Any,
            .init(codingPath: [], debugDescription: "compact state stores optionals only as keyed properties"))
    }

    static func error(_ message: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "compact state \(message)"))
    }

    final class Writer {
        var bytes: [UInt8] = []

        func integer(_ value: some FixedWidthInteger) {
            withUnsafeBytes(of: Int64(truncatingIfNeeded: value).littleEndian) { bytes.append(contentsOf: $0) }
        }

        func double(_ value: Double) { integer(value.bitPattern) }

        func string(_ value: String) {
            let utf8 = Array(value.utf8)
            count(utf8.count)
            bytes.append(contentsOf: utf8)
        }

        func count(_ value: Int) {
            withUnsafeBytes(of: UInt32(value).littleEndian) { bytes.append(contentsOf: $0) }
        }

        func value(_ value: some Encodable) throws {
            switch value {
            case let doubles as [Double]:
                count(doubles.count)
                for element in doubles { double(element) }
            case let number as Double: double(number)
            case let number as Int: integer(number)
            case let number as Int64: integer(number)
            case let flag as Bool: bytes.append(flag ? 1 : 0)
            case let text as String: string(text)
            default: try value.encode(to: CompactEncoder(writer: self))
            }
        }
    }

    final class Reader {
        let bytes: [UInt8]
        var offset: Int

        init(bytes: [UInt8], offset: Int) {
            self.bytes = bytes
            self.offset = offset
        }

        func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, offset + count <= bytes.count else {
                throw CompactCoder.error("ends early at byte \(offset) (needs \(count) more)")
            }
            defer { offset += count }
            return bytes[offset..<(offset + count)]
        }

        func int64() throws -> Int64 {
            var value: Int64 = 0
            let slice = try take(8)
            withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: slice) }
            return Int64(littleEndian: value)
        }

        func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            let raw = try int64()
            guard let value = T(exactly: raw) else {
                throw CompactCoder.error("holds \(raw), out of range for \(T.self)")
            }
            return value
        }

        func double() throws -> Double { Double(bitPattern: UInt64(bitPattern: try int64())) }

        func count() throws -> Int {
            var value: UInt32 = 0
            let slice = try take(4)
            withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: slice) }
            return Int(UInt32(littleEndian: value))
        }

        func bool() throws -> Bool {
            switch try take(1).first {
            case 0: return false
            case 1: return true
            default: throw CompactCoder.error("has a flag byte that is neither 0 nor 1 at byte \(offset - 1)")
            }
        }

        func string() throws -> String { String(decoding: try take(try count()), as: UTF8.self) }

        func value<T: Decodable>(_ type: T.Type) throws -> T {
            if T.self == [Double].self {
                let n = try count()
                var doubles: [Double] = []
                doubles.reserveCapacity(n)
                for _ in 0..<n { doubles.append(try double()) }
                return try cast(doubles)
            }
            if T.self == Double.self { return try cast(try double()) }
            if T.self == Int.self { return try cast(try integer(Int.self)) }
            if T.self == Int64.self { return try cast(try int64()) }
            if T.self == Bool.self { return try cast(try bool()) }
            if T.self == String.self { return try cast(try string()) }
            return try T(from: CompactDecoder(reader: self))
        }

        private func cast<T>(_ value: Any) throws -> T {
            guard let typed = value as? T else { throw CompactCoder.error("cannot read a \(T.self)") }
            return typed
        }
    }
}

struct CompactEncoder: Encoder {
    let writer: CompactCoder.Writer
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Keyed(writer: writer))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        // The count is patched in place as elements arrive.
        let position = writer.bytes.count
        writer.count(0)
        return Unkeyed(writer: writer, countPosition: position)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(writer: writer) }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let writer: CompactCoder.Writer
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws { throw CompactCoder.nilError() }
        mutating func encode(_ value: Bool, forKey key: Key) throws { try writer.value(value) }
        mutating func encode(_ value: String, forKey key: Key) throws { writer.string(value) }
        mutating func encode(_ value: Double, forKey key: Key) throws { writer.double(value) }
        mutating func encode(_ value: Float, forKey key: Key) throws { writer.double(Double(value)) }
        mutating func encode(_ value: Int, forKey key: Key) throws { writer.integer(value) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { writer.integer(value) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { writer.integer(value) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { writer.integer(value) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { writer.integer(value) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { writer.integer(value) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { writer.integer(value) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { writer.integer(value) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { writer.integer(value) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { writer.integer(value) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try writer.value(value) }

        private func present<T: Encodable>(_ value: T?) throws {
            guard let value else {
                writer.bytes.append(0)
                return
            }
            writer.bytes.append(1)
            try writer.value(value)
        }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try present(value.map(Double.init)) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try present(value.map(Int.init)) }
        mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try present(value.map(Int.init)) }
        mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try present(value.map(Int.init)) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try present(value) }
        mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws {
            try present(value.map { Int64(truncatingIfNeeded: $0) })
        }
        mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try present(value.map(Int.init)) }
        mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try present(value.map(Int.init)) }
        mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try present(value.map(Int.init)) }
        mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws {
            try present(value.map { Int64(truncatingIfNeeded: $0) })
        }
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try present(value) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            KeyedEncodingContainer(Keyed<NestedKey>(writer: writer))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            CompactEncoder(writer: writer).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { CompactEncoder(writer: writer) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { CompactEncoder(writer: writer) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let writer: CompactCoder.Writer
        let countPosition: Int
        var codingPath: [any CodingKey] { [] }
        private(set) var count = 0

        init(writer: CompactCoder.Writer, countPosition: Int) {
            self.writer = writer
            self.countPosition = countPosition
        }

        private mutating func bump() {
            count += 1
            withUnsafeBytes(of: UInt32(count).littleEndian) { bytes in
                for (index, byte) in bytes.enumerated() { writer.bytes[countPosition + index] = byte }
            }
        }
        mutating func encodeNil() throws { throw CompactCoder.nilError() }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try writer.value(value)
            bump()
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            bump()
            return KeyedEncodingContainer(Keyed<NestedKey>(writer: writer))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            bump()
            return CompactEncoder(writer: writer).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { CompactEncoder(writer: writer) }
    }

    struct Single: SingleValueEncodingContainer {
        let writer: CompactCoder.Writer
        var codingPath: [any CodingKey] { [] }
        mutating func encodeNil() throws { throw CompactCoder.nilError() }
        mutating func encode<T: Encodable>(_ value: T) throws { try writer.value(value) }
    }
}

struct CompactDecoder: Decoder {
    let reader: CompactCoder.Reader
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed(reader: reader))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        Unkeyed(reader: reader, count: try reader.count())
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(reader: reader) }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let reader: CompactCoder.Reader
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool { true }
        /// Never nil: optionals come through `decodeIfPresent` (a presence byte), and nothing encodes a bare nil.
        func decodeNil(forKey key: Key) throws -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try reader.value(type) }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            try reader.bool() ? try reader.value(type) : nil
        }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try reader.bool() }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try reader.string() }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try reader.double() }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try reader.double()) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try reader.integer(Int.self) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try reader.integer(Int8.self) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try reader.integer(Int16.self) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try reader.integer(Int32.self) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try reader.int64() }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { UInt(truncatingIfNeeded: try reader.int64()) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try reader.integer(UInt8.self) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try reader.integer(UInt16.self) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try reader.integer(UInt32.self) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
            UInt64(truncatingIfNeeded: try reader.int64())
        }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
            try reader.bool() ? try reader.bool() : nil
        }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
            try reader.bool() ? try reader.string() : nil
        }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
            try reader.bool() ? try reader.double() : nil
        }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
            try reader.bool() ? try reader.integer(Int.self) : nil
        }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
            try reader.bool() ? try reader.int64() : nil
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            KeyedDecodingContainer(Keyed<NestedKey>(reader: reader))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try CompactDecoder(reader: reader).unkeyedContainer()
        }
        func superDecoder() throws -> any Decoder { CompactDecoder(reader: reader) }
        func superDecoder(forKey key: Key) throws -> any Decoder { CompactDecoder(reader: reader) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let reader: CompactCoder.Reader
        let count: Int?
        var codingPath: [any CodingKey] { [] }
        private(set) var currentIndex = 0
        var isAtEnd: Bool { currentIndex >= (count ?? 0) }

        init(reader: CompactCoder.Reader, count: Int) {
            self.reader = reader
            self.count = count
        }

        private mutating func advance() throws {
            guard !isAtEnd else { throw CompactCoder.error("has fewer elements than its reader asks for") }
            currentIndex += 1
        }
        mutating func decodeNil() throws -> Bool { false }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try advance()
            return try reader.value(type)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try advance()
            return KeyedDecodingContainer(Keyed<NestedKey>(reader: reader))
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try advance()
            return try CompactDecoder(reader: reader).unkeyedContainer()
        }
        mutating func superDecoder() throws -> any Decoder { CompactDecoder(reader: reader) }
    }

    struct Single: SingleValueDecodingContainer {
        let reader: CompactCoder.Reader
        var codingPath: [any CodingKey] { [] }
        func decodeNil() -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try reader.value(type) }
    }
}

extension IndicatorEngine {
    /// The engine's state to save (``CompactCoder``; about 5× smaller and 10× faster than JSON).
    public func savedState() throws -> [UInt8] { try CompactCoder.encode(self) }

    /// An engine restored from ``savedState()`` — or from the JSON that earlier versions saved.
    public init(savedState bytes: [UInt8]) throws {
        if bytes.first == CompactCoder.magic {
            self = try CompactCoder.decode(IndicatorEngine.self, from: bytes)
        } else {
            self = try JSONDecoder().decode(IndicatorEngine.self, from: Data(bytes))
        }
    }
}
