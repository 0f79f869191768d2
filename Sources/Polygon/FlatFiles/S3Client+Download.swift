import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a finished download did.
public struct S3Download: Sendable, Equatable {
    public var key: String
    /// The local file, complete and checked.
    public var path: String
    /// Bytes of the object.
    public var size: Int
    /// The object's ETag as the server sent it.
    public var etag: String?
    /// Byte offsets at which an interrupted download was resumed with `Range` (empty when none was).
    public var resumedAt: [Int]
}

extension S3Client {
    /// Downloads `key` to `destination`, streaming to `destination.partial` and resuming it with
    /// `Range` (and `If-Match`, so a replaced object is never spliced) after a reset or a 5xx.
    /// - Parameters:
    ///   - expected: the listing's entry, whose size and ETag the file must match.
    /// - Returns: the finished download; the file is moved into place only once it checks out.
    /// - Throws: `PolygonError` (`forbidden`, `integrity`, `transport` after the last attempt…) naming the key.
    public func download(key: String, to destination: String, expected: S3ObjectInfo? = nil) async throws -> S3Download
    {
        let partial = destination + ".partial"
        let what = "downloading s3://\(configuration.bucket)/\(key)"
        var etag = expected?.etag
        var resumedAt: [Int] = []
        let size = try await withRetries(what) { () async throws -> Int in
            let offset = Self.fileSize(partial)
            if let expected, offset == expected.size, offset > 0 { return offset }  // finished before a restart
            if offset > 0 { resumedAt.append(offset) }
            do {
                let size = try await timed {
                    try await fetch(key: key, into: partial, offset: offset, etag: &etag, what: what)
                }
                try verify(partial, key: key, size: size, expected: expected, etag: etag, what: what)
                return size
            } catch let error as PolygonError where error.code == .integrity {
                try? FileManager.default.removeItem(atPath: partial)  // short, corrupt or replaced: start over
                throw error
            }
        }
        try? FileManager.default.removeItem(atPath: destination)
        do {
            try FileManager.default.moveItem(atPath: partial, toPath: destination)
        } catch {
            throw PolygonError.flatFile(.fileSystem, key, "cannot move the download to \(destination): \(error)")
        }
        return S3Download(key: key, path: destination, size: size, etag: etag, resumedAt: resumedAt.filter { $0 > 0 })
    }

    /// One GET from `offset`, appended to `partial`; returns the object's total size.
    private func fetch(key: String, into partial: String, offset: Int, etag: inout String?, what: String) async throws
        -> Int
    {
        var headers: [(String, String)] = []
        if offset > 0 {
            headers.append(("range", "bytes=\(offset)-"))
            if let etag { headers.append(("if-match", etag)) }
        }
        let path = "/\(configuration.bucket)/" + SigV4Signer.encode(key, keepSlash: true)
        let response = try await send("GET", path: path, headers: headers, what: what)
        let sentETag = response.headers.first(name: "ETag")
        if let etag, let sentETag, etag != sentETag {
            throw PolygonError(.integrity, "\(what): the ETag changed from \(etag) to \(sentETag)", isRetryable: true)
        }
        etag = sentETag ?? etag
        let (start, total) = try Self.extent(response, offset: offset, what: what)
        let descriptor = open(partial, O_WRONLY | O_CREAT | (start == 0 ? O_TRUNC : O_APPEND), 0o644)
        guard descriptor >= 0 else {
            throw PolygonError.flatFile(.fileSystem, key, "cannot write \(partial) (errno \(errno))")
        }
        defer { close(descriptor) }
        do {
            for try await buffer in response.body {
                try Self.append(buffer, to: descriptor, key: key)
                received(bytes: buffer.readableBytes)
            }
        } catch let error as PolygonError {
            throw error
        } catch {
            throw PolygonError(
                .transport,
                "\(what): the connection broke after \(Self.fileSize(partial)) of \(total) bytes "
                    + "(\(redactor.redact(String(describing: error)))); resuming", isRetryable: true, underlying: error)
        }
        return total
    }

    /// Where the body starts and the object's total size, from `Content-Range` or `Content-Length`.
    private static func extent(_ response: HTTPClientResponse, offset: Int, what: String) throws -> (Int, Int) {
        if response.status.code == 206, let range = response.headers.first(name: "Content-Range") {
            let parts = range.dropFirst("bytes ".count).split(separator: "/")
            let start = parts.first.flatMap { Int($0.prefix { $0 != "-" }) }
            guard parts.count == 2, let start, let total = Int(parts[1]), start == offset else {
                throw PolygonError(.malformedBody, "\(what): unexpected Content-Range '\(range)'", isRetryable: false)
            }
            return (start, total)
        }
        guard let length = response.headers.first(name: "Content-Length").flatMap({ Int($0) }) else {
            throw PolygonError(.malformedBody, "\(what): the answer has no Content-Length", isRetryable: true)
        }
        return (0, length)  // a 200 is the whole object, even when a range was asked
    }

    private static func append(_ buffer: ByteBuffer, to descriptor: Int32, key: String) throws {
        try buffer.withUnsafeReadableBytes { bytes in
            var done = 0
            while done < bytes.count {
                let n = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw PolygonError.flatFile(.fileSystem, key, "cannot write (errno \(errno))") }
                done += n
            }
        }
    }

    /// Size against the server's and the listing's; MD5 against a single-part ETag.
    private func verify(_ path: String, key: String, size: Int, expected: S3ObjectInfo?, etag: String?, what: String)
        throws
    {
        let actual = Self.fileSize(path)
        guard actual == size, expected.map({ $0.size == size }) ?? true else {
            try? FileManager.default.removeItem(atPath: path)
            throw PolygonError(
                .integrity,
                "\(what): got \(actual) bytes, the server announced \(size)"
                    + (expected.map { " and the listing \($0.size)" } ?? ""), isRetryable: true)
        }
        guard let etag, let digest = Self.plainMD5(etag) else { return }
        guard try Self.md5(ofFile: path, key: key) == digest else {
            try? FileManager.default.removeItem(atPath: path)
            throw PolygonError(.integrity, "\(what): the file's MD5 does not match its ETag \(etag)", isRetryable: true)
        }
        if let listed = expected?.etag, listed != etag {
            throw PolygonError(
                .integrity, "\(what): ETag \(etag) differs from the listing's \(listed)", isRetryable: true)
        }
    }

    /// The hex MD5 inside a single-part ETag (`"9b2c…"`); nil for multipart ETags (`"…-12"`).
    static func plainMD5(_ etag: String) -> String? {
        let bare = etag.filter { $0 != "\"" }.lowercased()
        return bare.count == 32 && bare.allSatisfy(\.isHexDigit) ? bare : nil
    }

    static func md5(ofFile path: String, key: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw PolygonError.flatFile(.fileSystem, key, "cannot read \(path)")
        }
        defer { try? handle.close() }
        var hasher = Insecure.MD5()
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty { hasher.update(data: data) }
        return hasher.finalize().map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
