import Foundation

extension JSONScanner {
    /// A JSON number as Double, correctly rounded: the exact fast path (an integer mantissa below 2^53
    /// scaled by an exactly representable power of ten is one correctly rounded IEEE operation),
    /// otherwise `strtod`.
    mutating func double() throws(Failure) -> Double {
        let (start, end) = try numberSpan()
        if let fast = Self.fastDouble(bytes(start, end)) { return fast }
        return try slowDouble(start, end)
    }

    /// A JSON number that must be a whole Int64 (`1112331600000` or `1112331600000.0`); a timestamp
    /// never goes through a Double, so nanoseconds above 2^53 stay exact.
    mutating func wholeNumber() throws(Failure) -> Int64 {
        let (start, end) = try numberSpan()
        let span = bytes(start, end)
        var index = 0
        let negative = span.first == UInt8(ascii: "-")
        if negative { index = 1 }
        var value: Int64 = 0
        while index < span.count, span[index] >= 48, span[index] <= 57 {
            let (product, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = product.addingReportingOverflow(Int64(span[index] - 48))
            guard !overflow1, !overflow2 else { throw Failure(offset: start, reason: "number out of range") }
            value = sum
            index += 1
        }
        if index < span.count {
            guard span[index] == UInt8(ascii: "."), span[(index + 1)...].allSatisfy({ $0 == UInt8(ascii: "0") }) else {
                throw Failure(offset: start, reason: "expected a whole number")
            }
        }
        return negative ? -value : value
    }

    private mutating func numberSpan() throws(Failure) -> (Int, Int) {
        _ = try peek()
        let start = offset
        while !isAtEnd {
            let byte = currentByte
            let isNumberByte =
                (byte >= 48 && byte <= 57) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
            if !isNumberByte { break }
            advance()
        }
        guard offset > start else { throw fail("expected a number") }
        return (start, offset)
    }

    private static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    static func fastDouble(_ span: UnsafeRawBufferPointer) -> Double? {
        var index = 0
        let negative = span.first == UInt8(ascii: "-")
        if negative { index = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = 0
        var seenPoint = false
        while index < span.count {
            let byte = span[index]
            if byte >= 48, byte <= 57 {
                mantissa = mantissa &* 10 &+ UInt64(byte - 48)
                digits += 1
                if seenPoint { fraction += 1 }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                return nil  // exponents and anything unusual take the slow path
            }
            index += 1
        }
        guard digits > 0, digits <= 15, fraction <= 22 else { return nil }
        let value = Double(mantissa) / powersOfTen[fraction]
        return negative ? -value : value
    }

    private func slowDouble(_ start: Int, _ end: Int) throws(Failure) -> Double {
        var text = Array(bytes(start, end))
        text.append(0)
        var parsedEnd: UnsafeMutablePointer<CChar>?
        let value = text.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                let value = strtod(chars.baseAddress!, &parsedEnd)
                return (value, parsedEnd.map { $0 - chars.baseAddress! } ?? 0)
            }
        }
        guard value.1 == end - start, value.0.isFinite else { throw Failure(offset: start, reason: "invalid number") }
        return value.0
    }
}
