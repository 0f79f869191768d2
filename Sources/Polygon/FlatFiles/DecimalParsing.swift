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
    /// Exact powers of ten: `Double(m) / tenPower(k)` is correctly rounded for m < 2^53, k <= 22
    /// (Clinger's fast path), so the result equals `Double(String)` for every such field. A switch of
    /// literals, not a static table, so the hot loop pays no lazy-initialisation check.
    @inline(__always)
    private static func tenPower(_ k: Int) -> Double {
        switch k {
        case 0: 1
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// A decimal such as `115.030000`, `200.5`, `4930`, `-0.25`, `1e-3`.
    ///
    /// Two tight digit loops cover the common shape (digits, optional dot, digits, at most 15 digits
    /// in all so the mantissa is exact); anything else goes to `generalDouble`.
    @inline(__always)
    static func double(_ bytes: UnsafePointer<UInt8>, _ index: inout Int, _ end: Int) -> Double? {
        var i = index
        var mantissa: UInt64 = 0
        while i < end {
            let digit = bytes[i] &- 48
            if digit >= 10 { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            i += 1
        }
        let integerDigits = i - index
        var fraction = 0
        if i < end && bytes[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < end {
                let digit = bytes[i] &- 48
                if digit >= 10 { break }
                mantissa = mantissa &* 10 &+ UInt64(digit)
                i += 1
            }
            fraction = i - fractionStart
        }
        let digits = integerDigits + fraction
        if digits > 0 && digits <= 15 && (i == end || bytes[i] == UInt8(ascii: ",")) {
            index = i
            return Double(mantissa) / tenPower(fraction)
        }
        return generalDouble(bytes, &index, end)
    }

    /// Any decimal: sign, leading zeros, up to 19 significant digits on the fast path, strtod beyond.
    static func generalDouble(_ bytes: UnsafePointer<UInt8>, _ index: inout Int, _ end: Int) -> Double? {
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
                let value = Double(mantissa) / tenPower(fraction)
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
