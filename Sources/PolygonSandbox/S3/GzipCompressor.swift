import CZlib

/// Whole-buffer gzip compression with system zlib, for the sandbox's generated day files (and for
/// tests that need gzip input).
public enum GzipCompressor {
    public struct Failure: Error, CustomStringConvertible {
        public var status: Int32
        public var description: String { "zlib deflate failed with status \(status)" }
    }

    /// One gzip member holding `bytes`.
    /// - Parameter level: zlib level 1 (fast) … 9 (small); 6 is zlib's default.
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        let initStatus = czlib_deflate_init_gzip(&stream, level)
        guard initStatus == Z_OK else { throw Failure(status: initStatus) }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        let status = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw Failure(status: status) }
        output.removeLast(Int(stream.avail_out))
        return output
    }
}
