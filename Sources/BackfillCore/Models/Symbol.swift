/// Rules for ticker symbols as Polygon writes them (`AAPL`, `BRK.B`, `TpC`, `NA`).
///
/// Symbols are case-sensitive and never treated as missing values, however much they look like one.
public enum Symbol {
    /// The longest symbol accepted.
    public static let maxLength = 20

    /// Returns nil when `symbol` is acceptable, or a sentence saying what is wrong with it.
    public static func problem(with symbol: String) -> String? {
        if symbol.isEmpty { return "a ticker symbol is empty" }
        if symbol.utf8.count > maxLength {
            return "ticker '\(symbol)' is longer than \(maxLength) characters"
        }
        for byte in symbol.utf8 {
            let ok =
                (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
            if !ok {
                return "ticker '\(symbol)' has a character other than letters, digits, '.', '-' or ':'"
            }
        }
        return nil
    }

    /// Splits a comma-separated list (`AMD, NVDA,TSLA`), trimming blanks and dropping repeats in order.
    public static func parseList(_ text: String) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for part in text.split(separator: ",") {
            let symbol = part.trimmingCharacters(in: " \t")
            if !symbol.isEmpty, seen.insert(symbol).inserted { result.append(symbol) }
        }
        return result
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters)
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
