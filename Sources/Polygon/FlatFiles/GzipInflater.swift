import CZlib

/// A zlib inflate stream that accepts gzip (one or more members) or zlib data.
///
/// Not Sendable: one thread owns it from creation to the end.
final class GzipInflater: StreamInflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let file: String

    /// - Parameter file: the path or key, for error messages.
    init(file: String) throws {
        self.file = file
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard czlib_inflate_init_auto(stream) == Z_OK else {
            stream.deallocate()
            throw PolygonError.flatFile(.corruptFile, file, "zlib could not start an inflate stream")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Inflates from `input` into `output` until one of them is exhausted or the member ends.
    /// - Throws: `PolygonError.corruptFile` for data that is not valid gzip (bad header, CRC, length).
    func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> InflateStep {
        let source = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: source)
        stream.pointee.avail_in = UInt32(input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = UInt32(output.count)
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        let step = InflateStep(
            consumed: input.count - Int(stream.pointee.avail_in),
            produced: output.count - Int(stream.pointee.avail_out),
            memberEnded: status == Z_STREAM_END)
        switch status {
        case Z_OK, Z_STREAM_END, Z_BUF_ERROR:
            return step
        default:
            let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            throw PolygonError.flatFile(
                .corruptFile, file, "the gzip data is corrupt (\(reason)); download the file again")
        }
    }

    /// Prepares for the next gzip member of a multi-member file.
    func reset() {
        inflateReset(stream)
    }
}
