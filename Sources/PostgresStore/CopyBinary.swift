import BackfillCore
import NIOCore
import Storage

/// Rows in COPY's binary format (`PGCOPY`): per row a field count, then each field as a length
/// and its big-endian bytes (−1 length: NULL). Neither side formats or parses a number as text,
/// which is most of the CPU a text COPY of prices costs on both the client and the server.
enum CopyBinary {
    /// What to pass as `table` to postgres-nio's `copyFrom` for a binary COPY of `columns`.
    /// postgres-nio 1.33 builds `COPY "<table>" … FROM STDIN WITH (FORMAT text)` and offers no
    /// other format; the statement is one line, so closing the quoted name, naming the columns
    /// and the binary format, and starting a comment replaces the rest. Only constant table and
    /// column names (never input) go through here; the bulk tests fail if the builder changes.
    static func target(_ table: String, _ columns: [String]) -> String {
        "\(table)\" (\(columns.joined(separator: ", "))) FROM STDIN WITH (FORMAT binary) --"
    }

    /// The 11-byte signature, the flags (no OIDs) and an empty header extension.
    static func appendHeader(to buffer: inout ByteBuffer) {
        buffer.writeBytes(Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00])
        buffer.writeInteger(Int32(0))
        buffer.writeInteger(Int32(0))
    }

    /// The end of the data: a field count of −1.
    static func appendTrailer(to buffer: inout ByteBuffer) {
        buffer.writeInteger(Int16(-1))
    }

    /// Appends one security's bars (a minute repeated keeps its last bar) as rows of
    /// (security_id, t, o, h, l, c, v, vw, n); returns the rows written and of those the minutes
    /// in the session's extended and regular hours (none without `hours`).
    /// - Throws: ``StorageError`` for a non-finite price or volume.
    static func append(_ bars: [Bar], securityID: Int64, to buffer: inout ByteBuffer, hours: SessionHours?) throws
        -> (rows: Int, received: Int, regular: Int)
    {
        var received = 0
        var regular = 0
        let sorted = zip(bars, bars.dropFirst()).allSatisfy { $0.windowStartMs < $1.windowStartMs }
        let unique = sorted ? bars : PostgresBarWriter.lastPerMinute(bars)
        buffer.reserveCapacity(minimumWritableBytes: unique.count * rowBytes)
        for bar in unique {
            guard bar.open.isFinite, bar.high.isFinite, bar.low.isFinite, bar.close.isFinite, bar.volume.isFinite else {
                throw StorageError(.write, "bar at \(bar.windowStartMs) has a non-finite price or volume")
            }
            buffer.writeInteger(Int16(9))
            field(securityID, &buffer)
            field(bar.windowStartMs, &buffer)
            field(bar.open.bitPattern, &buffer)
            field(bar.high.bitPattern, &buffer)
            field(bar.low.bitPattern, &buffer)
            field(bar.close.bitPattern, &buffer)
            field(bar.volume.bitPattern, &buffer)
            if let vwap = bar.vwap, vwap.isFinite { field(vwap.bitPattern, &buffer) } else { null(&buffer) }
            if let trades = bar.transactions { field(trades, &buffer) } else { null(&buffer) }
            guard let hours else { continue }
            if bar.windowStartMs >= hours.preMarketOpenMs && bar.windowStartMs < hours.postMarketCloseMs {
                received += 1
                if bar.windowStartMs >= hours.regularOpenMs && bar.windowStartMs < hours.regularCloseMs { regular += 1 }
            }
        }
        return (unique.count, received, regular)
    }

    /// Bytes of one row: the field count and nine 8-byte fields with their lengths.
    static let rowBytes = 2 + 9 * 12

    @inline(__always)
    private static func field<Value: FixedWidthInteger>(_ value: Value, _ buffer: inout ByteBuffer) {
        buffer.writeInteger(Int32(MemoryLayout<Value>.size))
        buffer.writeInteger(value)
    }

    @inline(__always)
    private static func null(_ buffer: inout ByteBuffer) {
        buffer.writeInteger(Int32(-1))
    }
}
