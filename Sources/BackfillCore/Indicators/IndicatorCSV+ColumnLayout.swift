extension IndicatorCSV {
    /// Where each input column sits, read from the header.
    struct ColumnLayout {
        var symbol: Int
        var time: Int
        var open: Int
        var high: Int
        var low: Int
        var close: Int
        var volume: Int
        var vwap: Int?
        var fieldCount: Int

        init(header: Substring) throws {
            let names = IndicatorCSV.fields(of: header).map {
                IndicatorCSV.stripped($0).lowercased()
            }
            func index(_ name: String) throws -> Int {
                guard let index = names.firstIndex(of: name) else {
                    throw IndicatorCSVError(
                        line: 1, message: "header lacks column '\(name)'; expected symbol,t,o,h,l,c,v, got \(header)")
                }
                return index
            }
            symbol = try index("symbol")
            time = try index("t")
            open = try index("o")
            high = try index("h")
            low = try index("l")
            close = try index("c")
            volume = try index("v")
            vwap = names.firstIndex(of: "vw")
            fieldCount = names.count
        }

        func record(from line: Substring, line lineNumber: Int) throws -> Record {
            let fields = IndicatorCSV.fields(of: line)
            guard fields.count == fieldCount else {
                throw IndicatorCSVError(
                    line: lineNumber, message: "expected \(fieldCount) fields, found \(fields.count)")
            }
            let symbol = String(IndicatorCSV.stripped(fields[self.symbol]))
            guard !symbol.isEmpty else { throw IndicatorCSVError(line: lineNumber, message: "empty symbol") }
            guard let time = Int64(IndicatorCSV.stripped(fields[self.time])) else {
                throw IndicatorCSVError(
                    line: lineNumber, message: "column 't' is not an integer of milliseconds: '\(fields[self.time])'")
            }
            func value(_ index: Int, _ name: String) throws -> Double {
                let text = IndicatorCSV.stripped(fields[index])
                guard let value = Double(text), value.isFinite else {
                    throw IndicatorCSVError(
                        line: lineNumber, message: "column '\(name)' is not a finite number: '\(text)'")
                }
                return value
            }
            let vwap = try self.vwap.flatMap { fields[$0].isEmpty ? nil : try value($0, "vw") }
            let bar = Bar(
                windowStartMs: time, open: try value(open, "o"), high: try value(high, "h"),
                low: try value(low, "l"), close: try value(close, "c"), volume: try value(volume, "v"), vwap: vwap)
            return Record(symbol: symbol, bar: bar, line: lineNumber)
        }
    }
}

/// A malformed line in an indicators input file.
public struct IndicatorCSVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line number (the header is line 1).
    public var line: Int
    /// What is wrong with the line.
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}
