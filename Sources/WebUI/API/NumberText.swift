/// Numbers as JSON text written through a raw pointer, by integer arithmetic two digits at a time:
/// Swift's shortest round-trip printing, a log10 per value, and appending byte by byte were most of
/// a chart response's time. Every function writes at most ``JSONText/maxNumberBytes`` − 1 bytes and
/// returns how many it wrote.
enum NumberText {
    /// "00", "01", … "99".
    private static let pairs: [UInt8] = {
        var pairs: [UInt8] = []
        for number in 0..<100 {
            let tens = UInt8(number / 10)
            let ones = UInt8(number % 10)
            pairs.append(UInt8(ascii: "0") + tens)
            pairs.append(UInt8(ascii: "0") + ones)
        }
        return pairs
    }()

    private static let powersOfTen: [Double] = (0...20).map { exponent in
        var result = 1.0
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    private static let integerPowers: [UInt64] = (0...19).map { exponent in
        var result: UInt64 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    /// `value` to at most `significant` digits (1–15), trailing zeros dropped: `187.2345`, `100`,
    /// `-0.0123`. `null` when absent or not finite; outside 1e-6 ..< 1e15, Swift's shortest form.
    static func decimal(_ value: Double?, significant: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        guard let value, value.isFinite else { return literal("null", into: out) }
        let magnitude = abs(value)
        guard magnitude >= 1e-6, magnitude < 1e15 else {
            return literal(value == 0 ? "0" : value.description, into: out)
        }
        // Digits before the point (0 below 1), and so the decimals that keep `significant` digits.
        var wholeDigits = 0
        var decimals: Int
        if magnitude >= 1 {
            wholeDigits = 1
            var bound = 10.0
            while magnitude >= bound {
                wholeDigits += 1
                bound *= 10
            }
            decimals = significant - wholeDigits
        } else {
            var zeros = 0
            var scaled = magnitude
            while scaled < 0.1 {
                scaled *= 10
                zeros += 1
            }
            decimals = significant + zeros
        }
        decimals = max(0, min(decimals, 19))
        let scaled = magnitude * powersOfTen[decimals]
        guard scaled < 9e18 else { return literal(value.description, into: out) }
        // Below 2^52 adding a half and truncating rounds as `rounded()` does, without a libm call.
        let mantissa = scaled < 4.5e15 ? UInt64(scaled + 0.5) : UInt64(scaled.rounded())
        var at = 0
        if value < 0, mantissa != 0 {
            out[0] = UInt8(ascii: "-")
            at = 1
        }
        guard decimals > 0 else { return at + digits(mantissa, into: out + at) }
        // Rounding up can add a digit before the point (9.99… → 10, 0.99… → 1).
        if mantissa >= integerPowers[min(19, wholeDigits + decimals)] { wholeDigits += 1 }
        let wholeWidth = max(1, wholeDigits)
        // The fraction first, at its place after the point; what is left of the mantissa is the whole part.
        let point = at + wholeWidth
        let whole = fixed(mantissa, width: decimals, into: out + point + 1)
        fixed(whole, width: wholeWidth, into: out + at)
        var kept = decimals
        while kept > 0, out[point + kept] == UInt8(ascii: "0") { kept -= 1 }
        guard kept > 0 else { return point }
        out[point] = UInt8(ascii: ".")
        return point + 1 + kept
    }

    /// An integer in decimal.
    static func integer(_ value: Int64, into out: UnsafeMutablePointer<UInt8>) -> Int {
        guard value < 0 else { return digits(UInt64(value), into: out) }
        out[0] = UInt8(ascii: "-")
        return 1 + digits(value.magnitude, into: out + 1)
    }

    /// The decimal digits of `value`, no leading zeros.
    static func digits(_ value: UInt64, into out: UnsafeMutablePointer<UInt8>) -> Int {
        // log10 from the bit length (1233/4096 ≈ log10 2), then one comparison to correct it.
        let estimate = ((64 - value.leadingZeroBitCount) * 1_233) >> 12
        let count = max(1, value >= integerPowers[estimate] ? estimate + 1 : estimate)
        fixed(value, width: count, into: out)
        return count
    }

    /// The last `width` decimal digits of `value`, zero-padded on the left; returns the digits left
    /// over (`value` / 10^`width`), by division by constants only.
    @discardableResult
    static func fixed(_ value: UInt64, width: Int, into out: UnsafeMutablePointer<UInt8>) -> UInt64 {
        var rest = value
        var end = width
        pairs.withUnsafeBufferPointer { pairs in
            while end >= 2 {
                let pair = Int(rest % 100) &* 2
                rest /= 100
                out[end - 1] = pairs[pair + 1]
                out[end - 2] = pairs[pair]
                end -= 2
            }
            if end == 1 {
                out[0] = UInt8(truncatingIfNeeded: 48 &+ rest % 10)
                rest /= 10
            }
        }
        return rest
    }

    private static func literal(_ text: String, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var count = 0
        for byte in text.utf8.prefix(JSONText.maxNumberBytes - 1) {
            out[count] = byte
            count += 1
        }
        return count
    }
}
