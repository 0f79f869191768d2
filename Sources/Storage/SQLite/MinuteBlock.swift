import BackfillCore
import Foundation

/// One security's minute bars of one New York day, packed column-wise into a BLOB: the unit a day
/// file writes (one row per security instead of one per minute) and a chart reads.
///
/// Layout (little-endian, 8-byte aligned columns after an 8-byte header):
///
///     byte 0      format version (1)
///     bytes 1–3   zero
///     bytes 4–7   count n (UInt32)
///     t  Int64 × n   window start, ms UTC, strictly ascending
///     o, h, l, c, v  Double × n each
///     vw Double × n  (NaN: none)
///     n  Int64 × n   trades (Int64.min: none)
///
/// 64 bytes a minute, the same as a row's values; columns keep a later compression simple.
public enum MinuteBlock {
    static let version: UInt8 = 1
    static let headerBytes = 8
    static let bytesPerBar = 64
    static let noTrades = Int64.min

    /// Packs bars sorted by strictly ascending time.
    /// - Throws: ``StorageError`` when a price or volume is not finite (nothing is written).
    static func encode(_ bars: some RandomAccessCollection<Bar>) throws(StorageError) -> [UInt8] {
        let n = bars.count
        for bar in bars {
            guard bar.open.isFinite, bar.high.isFinite, bar.low.isFinite, bar.close.isFinite, bar.volume.isFinite
            else { throw StorageError(.write, "bar at \(bar.windowStartMs) has a non-finite price or volume") }
        }
        return [UInt8](unsafeUninitializedCapacity: headerBytes + n * bytesPerBar) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.storeBytes(of: UInt64(version) | UInt64(UInt32(n)) << 32, toByteOffset: 0, as: UInt64.self)
            func column<T>(_ index: Int, _ value: (Bar) -> T) {
                var offset = headerBytes + index * n * 8
                for bar in bars {
                    raw.storeBytes(of: value(bar), toByteOffset: offset, as: T.self)
                    offset += 8
                }
            }
            column(0) { $0.windowStartMs }
            column(1) { $0.open }
            column(2) { $0.high }
            column(3) { $0.low }
            column(4) { $0.close }
            column(5) { $0.volume }
            column(6) { bar -> Double in bar.vwap.flatMap { $0.isFinite ? $0 : nil } ?? .nan }
            column(7) { $0.transactions ?? noTrades }
            initialized = headerBytes + n * bytesPerBar
        }
    }

    /// Unpacks a block.
    /// - Throws: ``StorageError`` naming the problem when the bytes are not a block this version wrote.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(StorageError) -> [Bar] {
        var bars: [Bar] = []
        try decode(bytes, into: &bars, fromMs: .min, toMs: .max, limit: .max)
        return bars
    }

    /// Appends the block's bars with `fromMs <= t <= toMs` to `bars`, until `bars` holds `limit`:
    /// straight from the bytes, no intermediate array (a year of minutes is 250 blocks).
    static func decode(
        _ bytes: UnsafeRawBufferPointer, into bars: inout [Bar], fromMs: Int64, toMs: Int64, limit: Int
    ) throws(StorageError) {
        guard bytes.count >= headerBytes else {
            throw StorageError(.read, "a minute block of \(bytes.count) bytes is shorter than its header")
        }
        let header = bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        let n = Int(header >> 32)
        guard UInt8(truncatingIfNeeded: header) == version else {
            throw StorageError(.read, "a minute block has format version \(header & 0xff), expected \(version)")
        }
        guard bytes.count == headerBytes + n * bytesPerBar else {
            throw StorageError(
                .read, "a minute block of \(n) bars has \(bytes.count) bytes, expected \(headerBytes + n * bytesPerBar)"
            )
        }
        func load<T>(_ column: Int, _ row: Int, as: T.Type) -> T {
            bytes.loadUnaligned(fromByteOffset: headerBytes + (column * n + row) * 8, as: T.self)
        }
        for i in 0..<n where bars.count < limit {
            let t = load(0, i, as: Int64.self)
            if t < fromMs { continue }
            if t > toMs { break }
            let vwap = load(6, i, as: Double.self)
            let trades = load(7, i, as: Int64.self)
            bars.append(
                Bar(
                    windowStartMs: t, open: load(1, i, as: Double.self), high: load(2, i, as: Double.self),
                    low: load(3, i, as: Double.self), close: load(4, i, as: Double.self),
                    volume: load(5, i, as: Double.self), vwap: vwap.isNaN ? nil : vwap,
                    transactions: trades == noTrades ? nil : trades))
        }
    }

    public static func decode(_ data: Data) throws(StorageError) -> [Bar] {
        do {
            return try data.withUnsafeBytes { try decode($0) }
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.read, "cannot decode a minute block")
        }
    }

    /// `old` overlaid by `new` (both ascending by time; `new` wins a minute both have), and how many
    /// of `new`'s minutes were absent from `old` or differ from it.
    static func overlay(_ old: [Bar], _ new: some Collection<Bar>) -> (bars: [Bar], changed: Int) {
        var merged: [Bar] = []
        merged.reserveCapacity(old.count + new.count)
        var changed = 0
        var i = old.startIndex
        for bar in new {
            while i < old.endIndex, old[i].windowStartMs < bar.windowStartMs {
                merged.append(old[i])
                i += 1
            }
            if i < old.endIndex, old[i].windowStartMs == bar.windowStartMs {
                if !sameValues(old[i], bar) { changed += 1 }
                i += 1
            } else {
                changed += 1
            }
            merged.append(bar)
        }
        merged.append(contentsOf: old[i...])
        return (merged, changed)
    }

    /// Equal as stored: a non-finite VWAP is stored as none.
    static func sameValues(_ a: Bar, _ b: Bar) -> Bool {
        func stored(_ vwap: Double?) -> Double? { vwap.flatMap { $0.isFinite ? $0 : nil } }
        return a.open == b.open && a.high == b.high && a.low == b.low && a.close == b.close && a.volume == b.volume
            && stored(a.vwap) == stored(b.vwap) && a.transactions == b.transactions
    }

    /// `bars` ascending by time with one bar per minute (the last given wins), copied only when needed.
    static func normalized(_ bars: [Bar]) -> [Bar] {
        var ordered = true
        for i in bars.indices.dropFirst() where bars[i].windowStartMs <= bars[i - 1].windowStartMs {
            ordered = false
            break
        }
        if ordered { return bars }
        let sorted = bars.enumerated().sorted {
            ($0.element.windowStartMs, $0.offset) < ($1.element.windowStartMs, $1.offset)
        }
        var result: [Bar] = []
        result.reserveCapacity(bars.count)
        for (_, bar) in sorted {
            if let last = result.last, last.windowStartMs == bar.windowStartMs {
                result[result.count - 1] = bar
            } else {
                result.append(bar)
            }
        }
        return result
    }
}
