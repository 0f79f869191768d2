extension FlatFileDecoder {
    /// Decodes any flat-file CSV (`trades_v1`, `quotes_v1`…) into its header and rows of text fields,
    /// handling quoted fields (`"12,37"`, `""` for a quote). Slower than `decodeAggregates`; meant for
    /// datasets without a typed decoder yet.
    /// - Parameter body: receives the header (once, first) and then each row with its 1-based line number.
    /// - Throws: `PolygonError` for a truncated or corrupt file; an unterminated quote quarantines the row.
    public func decodeRecords(
        file path: String, name: String? = nil,
        _ body: (_ line: Int, _ fields: [String], _ isHeader: Bool) throws -> Void
    ) throws -> FlatFileSummary {
        var summary = FlatFileSummary(file: name ?? path)
        try withChunks(of: path, name: name ?? path) { chunk in
            summary.decompressedBytes += chunk.count
            var lineStart = 0
            for index in 0...chunk.count where index == chunk.count || chunk[index] == 0x0A {
                if index > lineStart || index < chunk.count {
                    summary.lines += 1
                    var end = index
                    if end > lineStart && chunk[end - 1] == 0x0D { end -= 1 }
                    try record(UnsafeBufferPointer(rebasing: chunk[lineStart..<end]), &summary, body)
                }
                lineStart = index + 1
            }
        }
        return summary
    }

    private func record(
        _ line: UnsafeBufferPointer<UInt8>, _ summary: inout FlatFileSummary,
        _ body: (Int, [String], Bool) throws -> Void
    ) throws {
        if line.isEmpty && summary.lines > 1 { return }
        guard let fields = CSVFields.split(line) else {
            summary.quarantinedCount += 1
            if summary.quarantined.count < configuration.maxQuarantineDetails {
                summary.quarantined.append(
                    FlatFileQuarantinedRow(
                        file: summary.file, line: summary.lines, reason: "a quoted field is not closed",
                        text: String(decoding: line.prefix(200), as: UTF8.self)))
            }
            return
        }
        let isHeader = summary.lines == 1
        if !isHeader { summary.rows += 1 }
        try body(summary.lines, fields, isHeader)
    }
}

/// RFC 4180 field splitting for one line.
enum CSVFields {
    /// The fields of `line`, or nil when a quoted field is not closed.
    static func split(_ line: UnsafeBufferPointer<UInt8>) -> [String]? {
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var index = 0
        while index < line.count {
            let byte = line[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < line.count && line[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") {
                quoted = true
            } else if byte == UInt8(ascii: ",") {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            } else {
                field.append(byte)
            }
            index += 1
        }
        if quoted { return nil }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }
}
