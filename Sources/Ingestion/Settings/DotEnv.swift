import Foundation

/// Reads the `.env` files users bring from the original Python system: `KEY=VALUE` lines, `#`
/// comments, optional `export ` prefix, optional single or double quotes around the value.
public enum DotEnv {
    /// Parses `.env` text; malformed lines are skipped and their numbers returned, never fatal.
    public static func parse(_ text: String) -> (values: [String: String], badLines: [Int]) {
        var values: [String: String] = [:]
        var bad: [Int] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmed
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).trimmed }
            guard let equals = line.firstIndex(of: "="), equals != line.startIndex else {
                bad.append(index + 1)
                continue
            }
            let key = line[..<equals].trimmed
            var value = line[line.index(after: equals)...].trimmed
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            } else if let hash = value.range(of: " #") {
                value = value[..<hash.lowerBound].trimmed
            }
            values[String(key)] = String(value)
        }
        return (values, bad)
    }
}

extension Substring {
    var trimmed: Substring {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" || first == "\r" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice = slice.dropLast() }
        return slice
    }
}
