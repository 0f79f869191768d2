import Foundation

/// Decodes Polygon flat files (`minute_aggs_v1`, `day_aggs_v1`; gzip or plain CSV) into typed rows.
///
/// Decompression runs on a thread of its own and parsing on the caller's, with a bounded queue of
/// chunks between them, so a day file costs about as long as inflating it. The calls block the
/// calling thread until the file is done: call them from a thread that may block (not from a
/// latency-sensitive async context).
///
/// Errors: a truncated or corrupt gzip stream, a missing file or a file without an aggregates
/// header throws `PolygonError` naming the file, and any rows already handed over from that file
/// must be discarded. A single bad row does not throw: it is quarantined in the summary.
public struct FlatFileDecoder: Sendable {
    /// The gzip implementation: ISA-L (default, fastest) or system zlib.
    public enum Engine: Sendable {
        case isal
        case zlib
    }

    public struct Configuration: Sendable {
        /// Which library inflates.
        public var engine: Engine
        /// Decompressed bytes per chunk; also the longest line accepted.
        public var chunkSize: Int
        /// Chunks decompressed ahead of the parser (bounds memory to about `chunkSize * (queueDepth + 3)`).
        public var queueDepth: Int
        /// Quarantined rows kept with their text; more are only counted.
        public var maxQuarantineDetails: Int

        public init(
            engine: Engine = .isal, chunkSize: Int = 1 << 20, queueDepth: Int = 4, maxQuarantineDetails: Int = 1_000
        ) {
            self.engine = engine
            self.chunkSize = max(4_096, chunkSize)
            self.queueDepth = queueDepth
            self.maxQuarantineDetails = maxQuarantineDetails
        }
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Decodes an aggregates file, handing rows to `body` in batches (one per chunk, in file order).
    /// - Parameters:
    ///   - path: the local file (`.csv.gz` or `.csv`).
    ///   - name: how messages name it (the S3 key it came from); defaults to `path`.
    ///   - body: receives each batch; throwing from it stops decoding and rethrows.
    /// - Returns: the counts and the quarantined rows.
    /// - Throws: `PolygonError` (`corruptFile`, `fileSystem`) for the file as a whole.
    public func decodeAggregates(
        file path: String, name: String? = nil, _ body: (_ batch: [FlatFileRow]) throws -> Void
    ) throws -> FlatFileSummary {
        var parser = AggregatesCSVParser(
            file: name ?? path, maxQuarantineDetails: configuration.maxQuarantineDetails)
        var rows: [FlatFileRow] = []
        try withChunks(of: path, name: name ?? path) { chunk in
            rows.removeAll(keepingCapacity: true)
            try parser.parse(chunk, into: &rows)
            if !rows.isEmpty { try body(rows) }
        }
        guard parser.summary.lines > 0 else {
            throw PolygonError.flatFile(.corruptFile, name ?? path, "the file is empty (no header line)")
        }
        return parser.summary
    }

    /// Every row of an aggregates file at once, with the summary.
    public func decodeAggregates(file path: String, name: String? = nil) throws -> (
        rows: [FlatFileRow], summary: FlatFileSummary
    ) {
        var all: [FlatFileRow] = []
        let summary = try decodeAggregates(file: path, name: name) { all.append(contentsOf: $0) }
        return (all, summary)
    }

    /// Runs the decompressing thread and calls `body` with each chunk of whole lines on this one.
    func withChunks(of path: String, name: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        let channel = ChunkChannel(capacity: configuration.queueDepth)
        let producer = ChunkProducer(
            path: path, name: name, chunkSize: configuration.chunkSize, engine: configuration.engine, channel: channel)
        let thread = Thread { producer.run() }
        thread.name = "flatfile-inflate"
        thread.start()
        defer {
            channel.close()
            channel.waitForProducer()
        }
        while true {
            switch channel.receive() {
            case .chunk(let buffer, let count):
                try body(buffer.prefix(count))
                channel.recycle(buffer)
            case .end:
                return
            case .failure(let error):
                throw error
            }
        }
    }
}
