#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a flat file (gzip or plain CSV, told apart by the gzip magic bytes), inflates it and hands
/// chunks that end on a line boundary to a `ChunkChannel`. Runs on its own thread so decompression and
/// parsing use two cores.
///
/// A gzip stream that ends before its last member's trailer is an error: a short file must never
/// look like a short day.
struct ChunkProducer {
    let path: String
    /// The name used in messages (an S3 key when the file came from S3).
    let name: String
    /// Bytes per chunk; a line longer than this is an error.
    let chunkSize: Int
    let engine: FlatFileDecoder.Engine
    let channel: ChunkChannel

    private static let readSize = 256 * 1024

    /// Produces every chunk, then `.end`; or `.failure` with the reason. Never throws.
    func run() {
        defer { channel.markProducerDone() }
        do {
            if try produce() { _ = channel.send(.end) }
        } catch {
            _ = channel.send(.failure(error))
        }
    }

    /// Returns false when the consumer went away early.
    private func produce() throws -> Bool {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw PolygonError.flatFile(.fileSystem, name, "cannot open \(path) (errno \(errno))")
        }
        defer { close(descriptor) }
        var input = [UInt8](repeating: 0, count: ChunkProducer.readSize)
        var state = State(output: channel.makeBuffer(size: chunkSize))
        var inflater: (any StreamInflater)?
        while true {
            let count = try readSome(descriptor, into: &input)
            if count == 0 { break }
            if state.isGzip == nil {
                state.isGzip = count >= 2 && input[0] == 0x1F && input[1] == 0x8B
                if state.isGzip == true {
                    inflater = engine == .isal ? IsalInflater(file: name) : try GzipInflater(file: name)
                }
            }
            let ok = try input.withUnsafeBytes { bytes in
                try consume(UnsafeRawBufferPointer(rebasing: bytes[0..<count]), inflater, &state)
            }
            if !ok { return false }
        }
        if state.isGzip == true && !state.memberEnded {
            throw PolygonError.flatFile(
                .corruptFile, name,
                "the gzip stream is truncated after \(state.total + state.filled) decompressed bytes; "
                    + "the file is incomplete, download it again", retryable: true)
        }
        return flush(&state, final: true)
    }

    private struct State {
        var output: ChunkBuffer
        var filled = 0
        var total = 0
        var isGzip: Bool?
        var memberEnded = false
    }

    /// Feeds one block of file bytes through; returns false when the consumer went away.
    private func consume(_ block: UnsafeRawBufferPointer, _ inflater: (any StreamInflater)?, _ state: inout State)
        throws
        -> Bool
    {
        var offset = 0
        while offset < block.count {
            if state.filled == chunkSize, !flush(&state, final: false) { return false }
            let rest = UnsafeRawBufferPointer(rebasing: block[offset...])
            guard let inflater else {
                let n = min(rest.count, chunkSize - state.filled)
                state.output.bytes.baseAddress!.advanced(by: state.filled).copyMemory(
                    from: rest.baseAddress!, byteCount: n)
                state.filled += n
                offset += n
                continue
            }
            if state.memberEnded {
                inflater.reset()
                state.memberEnded = false
            }
            let step = try inflater.inflate(
                rest, into: UnsafeMutableRawBufferPointer(rebasing: state.output.bytes[state.filled...]))
            state.filled += step.produced
            offset += step.consumed
            state.memberEnded = step.memberEnded
            if step.consumed == 0 && step.produced == 0 && !step.memberEnded && state.filled < chunkSize {
                throw PolygonError.flatFile(
                    .corruptFile, name, "the gzip data makes no progress; download the file again")
            }
        }
        return true
    }

    /// Sends the complete lines of the output buffer and keeps the partial last line for the next one.
    private func flush(_ state: inout State, final: Bool) -> Bool {
        var cut = state.filled
        if !final {
            guard let newline = state.output.prefix(state.filled).lastIndex(of: 0x0A) else {
                _ = channel.send(
                    .failure(
                        PolygonError.flatFile(
                            .corruptFile, name, "a line is longer than \(chunkSize) bytes; this is not a flat-file CSV")
                    ))
                return false
            }
            cut = newline + 1
        }
        let next = channel.makeBuffer(size: chunkSize)
        let carry = state.filled - cut
        if carry > 0 {
            next.bytes.baseAddress!.copyMemory(
                from: state.output.bytes.baseAddress!.advanced(by: cut), byteCount: carry)
        }
        let chunk = state.output
        state.output = next
        state.total += cut
        state.filled = carry
        if cut == 0 { return true }
        return channel.send(.chunk(chunk, count: cut))
    }

    private func readSome(_ descriptor: Int32, into buffer: inout [UInt8]) throws -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw PolygonError.flatFile(.fileSystem, name, "cannot read \(path) (errno \(errno))")
        }
    }
}
