import Foundation

/// A small JSON writer for the API's hot responses (tens of thousands of numbers per chart), which
/// JSONEncoder makes several times slower; numbers are written in Swift's shortest round-trip form.
struct JSONText: Sendable {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Writes `{ … }`, with `body` adding the fields.
    mutating func object(_ body: (inout JSONText) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// Writes `[ … ]`, with `body` adding the elements.
    mutating func array(_ body: (inout JSONText) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"key":` inside an object; the value follows.
    mutating func key(_ key: String) {
        separate()
        appendString(key)
        bytes.append(UInt8(ascii: ":"))
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
    mutating func field(_ key: String, numbers: some Sequence<Double?>) {
        self.key(key)
        array { json in
            for value in numbers { json.decimal(value, significant: 12) }
        }
    }

    /// A field whose value is an array of derived numbers (indicators), each rounded to
    /// `significant` digits: a chart needs no more, and the response is about half the size.
    mutating func field(_ key: String, derived numbers: some Sequence<Double?>, significant: Int = 8) {
        self.key(key)
        array { json in
            for value in numbers { json.decimal(value, significant: significant) }
        }
    }

    /// A field whose value is an array of integers.
    mutating func field(_ key: String, integers: some Sequence<Int64>) {
        self.key(key)
        array { json in
            for value in integers { json.integer(value) }
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

    /// A number to at most `significant` digits (1–15), trailing zeros dropped, written by integer
    /// arithmetic: Swift's shortest round-trip printing and a log10 per value were most of a chart
    /// response's time. `null` when absent or not finite; outside 1e-6 ..< 1e15, the shortest form.
    mutating func decimal(_ value: Double?, significant: Int) {
        separate()
        guard let value, value.isFinite else { return appendRaw("null") }
        let magnitude = abs(value)
        guard magnitude >= 1e-6, magnitude < 1e15 else { return appendRaw(value == 0 ? "0" : value.description) }
        var decimals: Int
        if magnitude >= 1 {
            var digits = 1
            var bound = 10.0
            while magnitude >= bound {
                digits += 1
                bound *= 10
            }
            decimals = significant - digits
        } else {
            var zeros = 0
            var scaled = magnitude
            while scaled < 0.1 {
                scaled *= 10
                zeros += 1
            }
            decimals = significant + zeros
        }
        decimals = max(0, min(decimals, 20))
        let scaled = (magnitude * Self.powersOfTen[decimals]).rounded()
        guard scaled < 9e18 else { return appendRaw(value.description) }
        var mantissa = UInt64(scaled)
        while decimals > 0, mantissa % 10 == 0 {
            mantissa /= 10
            decimals -= 1
        }
        if value < 0, mantissa != 0 { bytes.append(UInt8(ascii: "-")) }
        // Digits right to left into a small buffer, the point `decimals` places from the right.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buffer in
            var index = 48
            var written = 0
            repeat {
                if written == decimals, decimals > 0 {
                    index -= 1
                    buffer[index] = UInt8(ascii: ".")
                }
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(mantissa % 10)
                mantissa /= 10
                written += 1
            } while mantissa > 0 || written <= decimals
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<48]))
        }
    }

    static let powersOfTen: [Double] = (0...20).map { exponent in
        var result = 1.0
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    mutating func integer(_ value: Int64?) {
        separate()
        appendRaw(value.map { String($0) } ?? "null")
    }

    /// Writes `text` as is (a literal or pre-encoded JSON).
    mutating func raw(_ text: String) {
        separate()
        appendRaw(text)
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
    }

    private mutating func appendRaw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func appendString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [92, 110])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [92, 114])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [92, 116])
            case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                // Control characters must be escaped; <, > and & are, so JSON is safe inside HTML.
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
