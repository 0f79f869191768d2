import Foundation
import Testing

@testable import WebUI

/// The chart API's number writer: short, exact to its digits, and valid JSON.
@Suite("JSON number writer")
struct JSONTextTests {
    static func written(_ values: [Double?], significant: Int) -> String {
        var json = JSONText()
        json.array { json in
            for value in values { json.decimal(value, significant: significant) }
        }
        return String(decoding: json.bytes, as: UTF8.self)
    }

    @Test func numbersAreShortAndExactToTheirDigits() {
        #expect(
            Self.written(
                [0, -0.0, 1, 100, 123.456, -0.0123, 99.999999999, 1_234_567.891, 0.5, nil, .nan, .infinity],
                significant: 8)
                == "[0,0,1,100,123.456,-0.0123,100,1234567.9,0.5,null,null,null]")
        #expect(Self.written([187.2345, 1_500_000, 0.0001, 12.5], significant: 12) == "[187.2345,1500000,0.0001,12.5]")
        // Outside 1e-6 ..< 1e15: Swift's shortest form, still valid JSON.
        #expect(Self.written([1e-7, 2e15], significant: 8) == "[1e-07,2000000000000000.0]")
    }

    @Test func randomValuesParseBackWithinTheirDigits() throws {
        var generator = SystemRandomNumberGenerator()
        for significant in [6, 8, 12] {
            let values = (0..<2_000).map { _ -> Double in
                let exponent = Double.random(in: -5...13, using: &generator)
                let sign: Double = Bool.random(using: &generator) ? 1 : -1
                return sign * pow(10, exponent)
            }
            let text = Self.written(values, significant: significant)
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Double])
            #expect(parsed.count == values.count)
            for (value, back) in zip(values, parsed) {
                #expect(abs(back - value) <= abs(value) * pow(10, Double(1 - significant)), "\(value) → \(back)")
            }
        }
    }

    /// Arrays are formatted through a pointer into reserved space: the same text as value by value.
    @Test func arraysMatchTheirValuesWrittenOneByOne() throws {
        var generator = SystemRandomNumberGenerator()
        let values: [Double?] = (0..<5_000).map { index in
            if index % 97 == 0 { return nil }
            let exponent = Double.random(in: -7...16, using: &generator)
            return (Bool.random(using: &generator) ? 1 : -1) * pow(10, exponent)
        }
        for significant in [8, 12] {
            var column = JSONText()
            column.field("x", numbers: values)
            var derived = JSONText()
            derived.field("x", derived: values, significant: significant)
            let one = "\"x\":" + Self.written(values, significant: significant)
            #expect(String(decoding: derived.bytes, as: UTF8.self) == one)
            if significant == 12 { #expect(String(decoding: column.bytes, as: UTF8.self) == one) }
        }
        let integers: [Int64] = [0, 7, -7, 1_735_000_000_000, .max, .min, 99, 100, -100]
        var json = JSONText()
        json.field("t", integers: integers)
        #expect(
            String(decoding: json.bytes, as: UTF8.self)
                == "\"t\":[" + integers.map(String.init).joined(separator: ",") + "]")
    }
}
