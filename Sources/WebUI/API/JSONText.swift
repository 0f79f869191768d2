import Foundation
import Hummingbird

/// A small JSON writer for the API's hot responses (hundreds of thousands of numbers per chart),
/// which JSONEncoder makes several times slower. It writes straight into the `ByteBuffer` the
/// response sends; number arrays are formatted by integer arithmetic through a raw pointer into
/// space reserved for the whole array (no per-value append, no growth while formatting).
struct JSONText: Sendable {
    private(set) var buffer: ByteBuffer
    private var needsComma = false

    init(capacity: Int = 256) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// The JSON written so far.
    var bytes: [UInt8] { Array(buffer.readableBytesView) }

    /// Writes `{ … }`, with `body` adding the fields.
    mutating func object(_ body: (inout JSONText) -> Void) {
        openObject()
        body(&self)
        closeObject()
    }

    /// Writes `{`; the fields follow, then ``closeObject()``.
    mutating func openObject() {
        separate()
        buffer.writeInteger(UInt8(ascii: "{"))
        needsComma = false
    }

    /// Writes the `}` of ``openObject()``.
    mutating func closeObject() {
        buffer.writeInteger(UInt8(ascii: "}"))
        needsComma = true
    }

    /// Writes what `part` holds (fields written on their own, e.g. `"key":[…]`) as the next
    /// field or element.
    mutating func append(_ part: JSONText) {
        separate()
        var bytes = part.buffer
        buffer.writeBuffer(&bytes)
    }

    /// Writes `[ … ]`, with `body` adding the elements.
    mutating func array(_ body: (inout JSONText) -> Void) {
        separate()
        buffer.writeInteger(UInt8(ascii: "["))
        needsComma = false
        body(&self)
        buffer.writeInteger(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"key":` inside an object; the value follows.
    mutating func key(_ key: String) {
        separate()
        appendString(key)
        buffer.writeInteger(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func field(_ key: String, _ value: String?) {
        self.key(key)
        string(value)
    }

    mutating func field(_ key: String, _ value: Double?) {
        self.key(key)
        number(value)
    }

    mutating func field(_ key: String, _ value: Int64?) {
        self.key(key)
        integer(value)
    }

    mutating func field(_ key: String, _ value: Int) {
        self.key(key)
        integer(Int64(value))
    }

    mutating func field(_ key: String, _ value: Bool) {
        self.key(key)
        raw(value ? "true" : "false")
    }

    /// A field whose value is an array of numbers, each to at most 12 significant digits (exact for
    /// prices and volumes as providers send them).
    mutating func field(_ key: String, numbers: some Collection<Double?>) {
        self.key(key)
        decimals(numbers, significant: 12)
    }

    /// A field whose value is an array of derived numbers (indicators), each rounded to
    /// `significant` digits: a chart needs no more, and the response is about half the size.
    mutating func field(_ key: String, derived numbers: some Collection<Double?>, significant: Int = 8) {
        self.key(key)
        decimals(numbers, significant: significant)
    }

    /// A field whose value is an array of integers.
    mutating func field(_ key: String, integers: some Collection<Int64>) {
        self.key(key)
        numberArray(integers) { value, out in NumberText.integer(value, into: out) }
    }

    /// Most bytes one number takes, its comma included (`-1.7976931348623157e+308,` is 24).
    static let maxNumberBytes = 26

    /// `[…]` of numbers to `significant` digits (see ``decimal(_:significant:)``), formatted into
    /// space reserved for the whole array at once.
    mutating func decimals(_ values: some Collection<Double?>, significant: Int) {
        numberArray(values) { value, out in NumberText.decimal(value, significant: significant, into: out) }
    }

    /// `[…]` of `values`, each written by `write` (at most ``maxNumberBytes`` − 1 bytes, returning
    /// how many) straight into space reserved for the whole array.
    private mutating func numberArray<Values: Collection>(
        _ values: Values, _ write: (Values.Element, UnsafeMutablePointer<UInt8>) -> Int
    ) {
        separate()
        let count = values.count
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 2 + count * Self.maxNumberBytes) { raw in
            let out = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            out[0] = UInt8(ascii: "[")
            var at = 1
            for value in values {
                if at > 1 {
                    out[at] = UInt8(ascii: ",")
                    at += 1
                }
                at += write(value, out + at)
            }
            out[at] = UInt8(ascii: "]")
            return at + 1
        }
    }

    mutating func string(_ value: String?) {
        separate()
        guard let value else { return appendRaw("null") }
        appendString(value)
    }

    /// A number; `null` when absent or not finite. Whole values below 2^53 print without `.0`.
    mutating func number(_ value: Double?) {
        separate()
        guard let value, value.isFinite else { return appendRaw("null") }
        if value == value.rounded(.towardZero), abs(value) < 9_007_199_254_740_992 {
            appendRaw(String(Int64(value)))
        } else {
            appendRaw(value.description)
        }
    }

    /// A number to at most `significant` digits (1–15), trailing zeros dropped (see
    /// ``NumberText/decimal(_:significant:into:)``); `null` when absent or not finite.
    mutating func decimal(_ value: Double?, significant: Int) {
        separate()
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.maxNumberBytes) { raw in
            let out = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            return NumberText.decimal(value, significant: significant, into: out)
        }
    }

    mutating func integer(_ value: Int64?) {
        separate()
        guard let value else { return appendRaw("null") }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.maxNumberBytes) { raw in
            NumberText.integer(value, into: raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Writes `text` as is (a literal or pre-encoded JSON).
    mutating func raw(_ text: String) {
        separate()
        appendRaw(text)
    }

    private mutating func separate() {
        if needsComma { buffer.writeInteger(UInt8(ascii: ",")) }
        needsComma = true
    }

    private mutating func appendRaw(_ text: String) {
        buffer.writeString(text)
    }

    private mutating func appendString(_ text: String) {
        buffer.writeInteger(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.writeBytes([92, 34])
            case UInt8(ascii: "\\"): buffer.writeBytes([92, 92])
            case UInt8(ascii: "\n"): buffer.writeBytes([92, 110])
            case UInt8(ascii: "\r"): buffer.writeBytes([92, 114])
            case UInt8(ascii: "\t"): buffer.writeBytes([92, 116])
            case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                // Control characters must be escaped; <, > and & are, so JSON is safe inside HTML.
                let hex = Array("0123456789abcdef".utf8)
                buffer.writeBytes([92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: buffer.writeInteger(byte)
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}
