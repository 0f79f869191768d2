import Foundation

/// Where day files come from: Polygon's S3 bucket, or a local folder with the same key layout
/// (`--flatfiles-dir DIR`). Either way the caller gets a local path to decode.
public protocol FlatFileSource: Sendable {
    /// Objects under `prefix` (`us_stocks_sip/minute_aggs_v1/2024/03/`), sorted by key.
    func list(prefix: String) async throws -> [S3ObjectInfo]
    /// A local, complete copy of `object`, fetched into `directory` when it is not local already.
    func localFile(for object: S3ObjectInfo, cacheDirectory directory: String) async throws -> String
    /// The source's HTTP requests so far (retries, 429s, latency); all zero for a local folder.
    var statistics: RequestStatistics { get }
}

extension S3Client: FlatFileSource {
    /// Downloads into `directory/KEY` (folders created), checked against the listing's size and ETag.
    public func localFile(for object: S3ObjectInfo, cacheDirectory directory: String) async throws -> String {
        let destination = directory + "/" + object.key
        let folder = (destination as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw PolygonError.flatFile(.fileSystem, object.key, "cannot create \(folder): \(error)")
        }
        return try await download(key: object.key, to: destination, expected: object).path
    }

    public func list(prefix: String) async throws -> [S3ObjectInfo] {
        try await list(prefix: prefix, pageSize: 1_000)
    }
}

/// A folder laid out like the bucket (`ROOT/us_stocks_sip/minute_aggs_v1/2024/03/2024-03-15.csv.gz`).
public struct LocalFlatFileSource: FlatFileSource {
    /// The folder standing for the bucket's root.
    public let root: String

    public init(root: String) {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// A folder takes no requests.
    public var statistics: RequestStatistics { RequestStatistics() }

    public func list(prefix: String) async throws -> [S3ObjectInfo] {
        let manager = FileManager.default
        guard let enumerator = manager.enumerator(atPath: root) else {
            throw PolygonError.flatFile(.fileSystem, root, "the flat-file folder cannot be read")
        }
        var objects: [S3ObjectInfo] = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasPrefix(prefix), !relative.hasSuffix(".partial") else { continue }
            let attributes = try? manager.attributesOfItem(atPath: root + "/" + relative)
            guard attributes?[.type] as? FileAttributeType == .typeRegular else { continue }
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
            objects.append(S3ObjectInfo(key: relative, size: size))
        }
        return objects.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    public func localFile(for object: S3ObjectInfo, cacheDirectory directory: String) async throws -> String {
        let path = root + "/" + object.key
        guard FileManager.default.fileExists(atPath: path) else {
            throw PolygonError.flatFile(.fileSystem, object.key, "not found under \(root)")
        }
        return path
    }
}
