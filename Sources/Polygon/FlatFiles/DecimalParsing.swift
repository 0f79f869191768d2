#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Byte-level number parsing for CSV fields, without creating a String per field.
///
/// Each function reads from `bytes[index]` up to `end` and stops at a comma or at `end`, leaving
/// `index` on the stopping byte. It returns nil when the field is empty or is not a number.
enum DecimalParsing {
    /// Exact powers of ten: `Double(m) / tenPowers[k]` is correctly rounded for m < 2^53, k <= 22
    /// (Clinger's fast path), so the result equals `Double(String)` for every such field.
    private static let tenPowers: [Double] = (0...22).map { k in
        var value = 1.0
        for _ in 0..<k { value *= 10 }
        return value
    }

    /// A decimal such as `115.030000`, `200.5`, `4930`, `-0.25`, `1e-3`.
    @inline(__always)
    static func double(_ bytes: UnsafePointer<UInt8>, _ index: inout Int, _ end: Int) -> Double? {
        let start = index
        var i = index
        let negative = i < end && bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = 0
        var dot = false
        var slow = false
        while i < end {
            let byte = bytes[i]
            let digit = byte &- 48
            if digit < 10 {
                if mantissa != 0 || digit != 0 { digits += 1 }
                if digits <= 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    if dot { fraction += 1 }
                } else {
                    slow = true
                }
                i += 1
            } else if byte == UInt8(ascii: ".") && !dot {
                dot = true
                i += 1
            } else if byte == UInt8(ascii: ",") {
                break
            } else {
                slow = true
                i += 1
            }
        }
        index = i
        if i == start || (negative && i == start + 1) { return nil }
        if !slow && mantissa < (1 << 53) && fraction <= 22 {
            if !dot || i - start > (negative ? 2 : 1) {
                let value = Double(mantissa) / tenPowers[fraction]
                return negative ? -value : value
            }
            return nil  // a lone "." or "-."
        }
        return slowDouble(bytes + start, i - start)
    }

    /// A non-negative integer of at most 19 digits (`1779422400000000000`, `34455`); a fractional part
    /// of zeros only (`34455.000000`) is accepted.
    @inline(__always)
    static func integer(_ bytes: UnsafePointer<UInt8>, _ index: inout Int, _ end: Int) -> Int64? {
        let start = index
        var i = index
        var value: UInt64 = 0
        while i < end {
            let digit = bytes[i] &- 48
            guard digit < 10 else { break }
            value = value &* 10 &+ UInt64(digit)
            i += 1
        }
        let digits = i - start
        if i < end && bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < end && bytes[i] == UInt8(ascii: "0") { i += 1 }
        }
        index = i
        guard digits > 0, digits <= 19, value <= UInt64(Int64.max), i == end || bytes[i] == UInt8(ascii: ",") else {
            return nil
        }
        return Int64(value)
    }

    /// strtod for the rare field the fast path does not take (exponents, more than 19 digits);
    /// rejects anything strtod does not consume whole (`12a`, `nan`, `inf`).
    private static func slowDouble(_ start: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        guard count < 64 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer in
            for k in 0..<count {
                let byte = start[k]
                let allowed =
                    (byte &- 48) < 10 || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                guard allowed else { return nil }
                buffer[k] = CChar(bitPattern: byte)
            }
            buffer[count] = 0
            var stop: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &stop)
            guard let stop, stop == buffer.baseAddress! + count, value.isFinite else { return nil }
            return value
        }
    }
}
