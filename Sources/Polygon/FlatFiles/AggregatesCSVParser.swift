import BackfillCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns chunks of `minute_aggs_v1` / `day_aggs_v1` CSV (whole lines) into typed rows, byte by byte.
///
/// Columns are found by name in the header, so any column order works; `transactions` may be absent
/// or empty. The only String made per row is the ticker, and not even that while the ticker repeats
/// (files are sorted by ticker). A row that does not decode is quarantined with its line number.
struct AggregatesCSVParser {
    enum Column: UInt8 {
        case ticker, volume, open, close, high, low, windowStart, transactions, ignored
    }

    static let requiredHeader = ["ticker", "volume", "open", "close", "high", "low", "window_start"]
    private static let names: [String: Column] = [
        "ticker": .ticker, "volume": .volume, "open": .open, "close": .close, "high": .high, "low": .low,
        "window_start": .windowStart, "transactions": .transactions,
    ]

    let file: String
    let maxQuarantineDetails: Int
    private(set) var summary: FlatFileSummary
    private var columns: [Column] = []
    /// The header is Polygon's exact column order, so rows take the straight-line path.
    private var canonical = false
    private static let canonicalOrder: [Column] = [
        .ticker, .volume, .open, .close, .high, .low, .windowStart, .transactions,
    ]
    private var lastTickerBytes: [UInt8] = []
    private var lastTicker = ""

    init(file: String, maxQuarantineDetails: Int) {
        self.file = file
        self.maxQuarantineDetails = maxQuarantineDetails
        self.summary = FlatFileSummary(file: file)
    }

    /// Decodes every line of `chunk` (the last may lack its newline) and appends the rows to `rows`.
    /// - Throws: `PolygonError.corruptFile` when the first line is not an aggregates header.
    mutating func parse(_ chunk: UnsafeBufferPointer<UInt8>, into rows: inout [FlatFileRow]) throws {
        guard let base = chunk.baseAddress else { return }
        summary.decompressedBytes += chunk.count
        var start = 0
        let count = chunk.count
        while start < count {
            let lineEnd: Int
            if let hit = memchr(base + start, 0x0A, count - start) {
                lineEnd = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            } else {
                lineEnd = count
            }
            summary.lines += 1
            var end = lineEnd
            if end > start && base[end - 1] == 0x0D { end -= 1 }
            if columns.isEmpty {
                try readHeader(base, start, end)
            } else if end > start {
                if let row = canonical ? parseCanonicalRow(base, start, end) : parseRow(base, start, end) {
                    rows.append(row)
                    summary.rows += 1
                }
            }
            start = lineEnd + 1
        }
    }

    private mutating func readHeader(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) throws {
        var text = String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let found = text.split(separator: ",", omittingEmptySubsequences: false).map {
            AggregatesCSVParser.names[$0.trimmingQuotes()] ?? .ignored
        }
        for name in AggregatesCSVParser.requiredHeader where !found.contains(AggregatesCSVParser.names[name]!) {
            throw PolygonError.flatFile(
                .corruptFile, file,
                "line 1 is not a minute/day aggregates header (no '\(name)' column): '\(text.prefix(120))'")
        }
        columns = found
        canonical = found == AggregatesCSVParser.canonicalOrder
    }

    /// A line in Polygon's column order, parsed field after field without a column loop; any surprise
    /// hands the line to `parseRow`, which says exactly what is wrong with it.
    @inline(__always)
    private mutating func parseCanonicalRow(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> FlatFileRow? {
        let comma = UInt8(ascii: ",")
        var i = start
        while i < end && base[i] != comma { i += 1 }
        let tickerEnd = i
        i += 1
        guard i < end, let volume = DecimalParsing.double(base, &i, end), i < end else {
            return parseRow(base, start, end)
        }
        i += 1
        guard let open = DecimalParsing.double(base, &i, end), i < end else { return parseRow(base, start, end) }
        i += 1
        guard let close = DecimalParsing.double(base, &i, end), i < end else { return parseRow(base, start, end) }
        i += 1
        guard let high = DecimalParsing.double(base, &i, end), i < end else { return parseRow(base, start, end) }
        i += 1
        guard let low = DecimalParsing.double(base, &i, end), i < end else { return parseRow(base, start, end) }
        i += 1
        guard let windowStartNs = DecimalParsing.integer(base, &i, end), i < end else {
            return parseRow(base, start, end)
        }
        i += 1
        var transactions: Int64?
        if i < end {
            guard let value = DecimalParsing.integer(base, &i, end), i == end else { return parseRow(base, start, end) }
            transactions = value
        }
        guard let name = intern(base, start, tickerEnd) else { return parseRow(base, start, end) }
        let bar = Bar(
            windowStartMs: windowStartNs / 1_000_000, open: open, high: high, low: low, close: close, volume: volume,
            transactions: transactions)
        return FlatFileRow(ticker: name, bar: bar, line: summary.lines)
    }

    /// One data line; nil after quarantining it.
    @inline(__always)
    private mutating func parseRow(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> FlatFileRow? {
        var i = start
        var fields = RowFields()
        for (position, column) in columns.enumerated() {
            if position > 0 {
                guard i < end, base[i] == UInt8(ascii: ",") else {
                    return quarantine(base, start, end, "\(position) fields, expected \(columns.count)")
                }
                i += 1
            }
            if let problem = fields.read(column, position: position, base, &i, end) {
                return quarantine(base, start, end, problem)
            }
        }
        guard i == end else { return quarantine(base, start, end, "more fields than the header's \(columns.count)") }
        guard let name = intern(base, fields.ticker.start, fields.ticker.end) else {
            return quarantine(base, start, end, "the ticker is empty")
        }
        let bar = Bar(
            windowStartMs: fields.windowStartNs / 1_000_000, open: fields.open, high: fields.high, low: fields.low,
            close: fields.close, volume: fields.volume, transactions: fields.transactions)
        return FlatFileRow(ticker: name, bar: bar, line: summary.lines)
    }

    /// The values of one row as the column loop finds them.
    private struct RowFields {
        var ticker = (start: 0, end: 0)
        var volume = 0.0
        var open = 0.0
        var close = 0.0
        var high = 0.0
        var low = 0.0
        var windowStartNs: Int64 = 0
        var transactions: Int64?

        /// Reads the field of `column` at `i`; returns what is wrong with it, or nil.
        mutating func read(_ column: Column, position: Int, _ base: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int)
            -> String?
        {
            switch column {
            case .ticker:
                let from = i
                while i < end && base[i] != UInt8(ascii: ",") { i += 1 }
                ticker = (from, i)
            case .volume, .open, .close, .high, .low:
                guard let value = DecimalParsing.double(base, &i, end) else {
                    return "column \(position + 1) is not a number"
                }
                store(value, in: column)
            case .windowStart:
                guard let value = DecimalParsing.integer(base, &i, end) else {
                    return "window_start (column \(position + 1)) is not an integer"
                }
                windowStartNs = value
            case .transactions:
                if i == end || base[i] == UInt8(ascii: ",") { return nil }
                guard let value = DecimalParsing.integer(base, &i, end) else {
                    return "transactions (column \(position + 1)) is not an integer"
                }
                transactions = value
            case .ignored:
                while i < end && base[i] != UInt8(ascii: ",") { i += 1 }
            }
            return nil
        }

        private mutating func store(_ value: Double, in column: Column) {
            switch column {
            case .volume: volume = value
            case .open: open = value
            case .close: close = value
            case .high: high = value
            default: low = value
            }
        }
    }

    /// The ticker as a String, reusing the previous row's when the bytes are the same.
    @inline(__always)
    private mutating func intern(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> String? {
        var from = from
        var to = to
        if to - from >= 2 && base[from] == UInt8(ascii: "\"") && base[to - 1] == UInt8(ascii: "\"") {
            from += 1
            to -= 1
        }
        let length = to - from
        guard length > 0 else { return nil }
        let same =
            lastTickerBytes.count == length
            && lastTickerBytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, base + from, length) == 0 }
        if !same {
            let bytes = UnsafeBufferPointer(start: base + from, count: length)
            lastTickerBytes = Array(bytes)
            lastTicker = String(decoding: bytes, as: UTF8.self)
        }
        return lastTicker
    }

    private mutating func quarantine(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ reason: String)
        -> FlatFileRow?
    {
        summary.quarantinedCount += 1
        if summary.quarantined.count < maxQuarantineDetails {
            let text = String(
                decoding: UnsafeBufferPointer(start: base + start, count: min(end - start, 200)), as: UTF8.self)
            summary.quarantined.append(
                FlatFileQuarantinedRow(file: file, line: summary.lines, reason: reason, text: text))
        }
        return nil
    }
}

extension Substring {
    /// The text without one pair of enclosing double quotes and surrounding blanks.
    fileprivate func trimmingQuotes() -> String {
        var slice = self
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        if slice.count >= 2 && slice.first == "\"" && slice.last == "\"" { slice = slice.dropFirst().dropLast() }
        return String(slice)
    }
}
