import Foundation

/// The `scraper indicators` file format: bars in, indicator values out, both CSV.
///
/// Input has a header naming at least `symbol,t,o,h,l,c,v` (any column order; `t` is the bar start in
/// UTC milliseconds; an optional `vw` column fills the bar's VWAP), rows in any order. Output is
/// `symbol,t,` then one column per configured indicator, rows sorted by symbol then time, empty cells
/// during warm-up, numbers with 17 significant digits so they round-trip exactly.
public enum IndicatorCSV {
    /// One input bar with the line it came from.
    public struct Record: Sendable, Equatable {
        /// Ticker as written in the file.
        public var symbol: String
        /// The bar; `t` becomes `windowStartMs`.
        public var bar: Bar
        /// 1-based line number in the input (the header is line 1).
        public var line: Int
    }

    /// Parses the input file.
    /// - Throws: ``IndicatorCSVError`` naming the first bad line.
    public static func parse(_ text: String) throws -> [Record] {
        // Split the bytes: as Characters, "\r\n" is one grapheme and would not split at "\n".
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .lazy.map { Substring($0) }.makeIterator()
        guard let headerLine = lines.next(), !trimmed(headerLine).isEmpty else {
            throw IndicatorCSVError(line: 1, message: "missing header; expected symbol,t,o,h,l,c,v")
        }
        // Spreadsheets often save UTF-8 with a byte-order mark.
        let header = trimmed(headerLine.first == "\u{FEFF}" ? headerLine.dropFirst() : headerLine)
        let layout = try ColumnLayout(header: header)
        var records: [Record] = []
        var number = 1
        while let line = lines.next() {
            number += 1
            let content = trimmed(line)
            if content.isEmpty { continue }
            records.append(try layout.record(from: content, line: number))
        }
        return records
    }

    /// Bars grouped by symbol, each sorted by time.
    /// - Throws: ``IndicatorCSVError`` when a symbol has two bars at the same time.
    public static func barsBySymbol(_ records: [Record]) throws -> [(symbol: String, bars: [Bar])] {
        let grouped = Dictionary(grouping: records, by: \.symbol)
        return try grouped.keys.sorted().map { symbol in
            let sorted = (grouped[symbol] ?? []).sorted {
                ($0.bar.windowStartMs, $0.line) < ($1.bar.windowStartMs, $1.line)
            }
            for (previous, next) in zip(sorted, sorted.dropFirst())
            where previous.bar.windowStartMs == next.bar.windowStartMs {
                throw IndicatorCSVError(
                    line: next.line,
                    message:
                        "duplicate bar for \(symbol) at t=\(next.bar.windowStartMs) (first on line \(previous.line))")
            }
            return (symbol, sorted.map(\.bar))
        }
    }

    /// The output header for `configuration`, e.g. `symbol,t,sma20,ema20,rsi14,macd,…,vwap`.
    public static func header(for configuration: IndicatorEngine.Configuration) -> String {
        var columns = ["symbol", "t"]
        if let period = configuration.smaPeriod { columns.append("sma\(period)") }
        if let period = configuration.emaPeriod { columns.append("ema\(period)") }
        if let period = configuration.rsiPeriod { columns.append("rsi\(period)") }
        if configuration.macd != nil { columns += ["macd", "macd_signal", "macd_hist"] }
        if configuration.bollinger != nil { columns += ["bb_upper", "bb_middle", "bb_lower"] }
        if configuration.vwap != nil { columns.append("vwap") }
        return columns.joined(separator: ",")
    }

    /// Runs a fresh engine per symbol over the parsed input and renders the output file.
    /// - Throws: ``IndicatorEngine/ConfigurationError`` for a bad configuration, ``IndicatorCSVError``
    ///   for duplicate bars.
    public static func render(_ records: [Record], configuration: IndicatorEngine.Configuration) throws -> String {
        let fresh = try IndicatorEngine(configuration: configuration)
        var output = header(for: configuration) + "\n"
        for (symbol, bars) in try barsBySymbol(records) {
            var engine = fresh
            for bar in bars {
                let values = engine.update(bar) ?? IndicatorEngine.Values()
                output += symbol + "," + String(bar.windowStartMs)
                appendCells(of: values, configuration: configuration, to: &output)
                output += "\n"
            }
        }
        return output
    }

    static func appendCells(
        of values: IndicatorEngine.Values, configuration: IndicatorEngine.Configuration, to output: inout String
    ) {
        func cell(_ value: Double?) {
            output += ","
            if let value { output += formatted(value) }
        }
        if configuration.smaPeriod != nil { cell(values.sma) }
        if configuration.emaPeriod != nil { cell(values.ema) }
        if configuration.rsiPeriod != nil { cell(values.rsi) }
        if configuration.macd != nil {
            cell(values.macd?.macd)
            cell(values.macd?.signal)
            cell(values.macd?.histogram)
        }
        if configuration.bollinger != nil {
            cell(values.bollinger?.upper)
            cell(values.bollinger?.middle)
            cell(values.bollinger?.lower)
        }
        if configuration.vwap != nil { cell(values.vwap) }
    }

    /// `value` with 17 significant digits (`%.17g`): enough for any Double to read back exactly.
    public static func formatted(_ value: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 40) { buffer in
            let count = withVaList([value]) { vsnprintf(buffer.baseAddress, 40, "%.17g", $0) }
            let bytes = UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(max(0, min(count, 39))))
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The line without the `\r` of a CRLF ending.
    static func trimmed(_ line: Substring) -> Substring {
        line.last == "\r" ? line.dropLast() : line
    }

    /// The comma-separated fields of a line, split on bytes (no grapheme breaking per character).
    static func fields(of line: Substring) -> [Substring] {
        line.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map { Substring($0) }
    }

    /// The field without surrounding spaces or tabs.
    static func stripped(_ field: Substring) -> Substring {
        let utf8 = field.utf8
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let start = utf8.firstIndex(where: { !isBlank($0) }), let last = utf8.lastIndex(where: { !isBlank($0) })
        else { return field[field.endIndex...] }
        return Substring(utf8[start...last])
    }
}
