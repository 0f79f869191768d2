import BackfillCore
import Foundation
import Hummingbird
import NIOCore

/// The sandbox's S3-compatible surface, path-style on the REST port: `GET /{bucket}?list-type=2`
/// (ListObjectsV2 with prefix, continuation token, start-after and max-keys), `GET` and `HEAD`
/// `/{bucket}/{key}` with `Range`. Every request must carry a valid SigV4 signature for the
/// credentials in `S3Settings` (defaults `sandbox-access-key` / `sandbox-secret-key`).
struct S3Routes: Sendable {
    let configuration: SandboxConfiguration
    let statistics: SandboxStatistics
    let store: FlatFileStore
    let verifier: SigV4Verifier

    /// Adds the bucket's routes to `router`.
    static func register(
        on router: Router<BasicRequestContext>, configuration: SandboxConfiguration, statistics: SandboxStatistics,
        market: SyntheticMarket
    ) {
        let settings = configuration.s3
        let routes = S3Routes(
            configuration: configuration, statistics: statistics,
            store: FlatFileStore(settings: settings, market: market),
            verifier: SigV4Verifier(accessKey: settings.accessKey, secretKey: settings.secretKey))
        router.get("/\(settings.bucket)") { request, _ in try await routes.list(request) }
        router.get("/\(settings.bucket)/**") { request, context in
            try await routes.object(request, key: context.parameters.getCatchAll().joined(separator: "/"), head: false)
        }
        router.head("/\(settings.bucket)/**") { request, context in
            try await routes.object(request, key: context.parameters.getCatchAll().joined(separator: "/"), head: true)
        }
    }

    private var nowMs: Int64 { configuration.nowMs() }

    func list(_ request: Request) async throws -> Response {
        statistics.count("s3.list")
        if let denied = authenticate(request) { return denied }
        let query = request.uri.queryParameters
        let prefix = query["prefix"].map(String.init) ?? ""
        let maxKeys = min(1_000, max(1, query["max-keys"].flatMap { Int($0) } ?? 1_000))
        let token = query["continuation-token"].map(String.init)
        let startAfter = query["start-after"].map(String.init)
        var after = startAfter
        if let token {
            guard let decoded = Data(base64Encoded: token), let key = String(data: decoded, encoding: .utf8) else {
                return S3XML.error(
                    .badRequest, code: "InvalidArgument", message: "The continuation token provided is incorrect",
                    resource: "/\(configuration.s3.bucket)", requestID: statistics.nextRequestID())
            }
            after = key
        }
        let all = store.keys(prefix: prefix, nowMs: nowMs)
        let remaining = after.map { bound in all.drop { !bound.utf8.lexicographicallyPrecedes($0.utf8) } } ?? all[...]
        var objects: [(key: String, size: Int, etag: String, lastModifiedMs: Int64)] = []
        for key in remaining.prefix(maxKeys) {
            guard let object = try store.object(forKey: key, nowMs: nowMs) else { continue }
            objects.append((key, object.bytes.count, object.etag, object.lastModifiedMs))
        }
        let truncated = remaining.count > maxKeys
        let next = truncated ? objects.last.map { Data($0.key.utf8).base64EncodedString() } : nil
        let page = S3XML.ListPage(
            bucket: configuration.s3.bucket, prefix: prefix, maxKeys: maxKeys, continuationToken: token,
            startAfter: startAfter, nextContinuationToken: next, objects: objects)
        statistics.count("s3.list.ok")
        return Response(
            status: .ok, headers: [.contentType: "application/xml"],
            body: .init(byteBuffer: ByteBuffer(string: S3XML.list(page))))
    }

    func object(_ request: Request, key: String, head: Bool) async throws -> Response {
        statistics.count(head ? "s3.head" : "s3.get")
        if let denied = authenticate(request) { return denied }
        let faults = configuration.faults.faults(for: request.uri.path)
        for fault in faults {
            if let response = try await S3FaultResponses.early(fault, requestID: statistics.nextRequestID()) {
                return response
            }
        }
        guard var object = try store.object(forKey: key, nowMs: nowMs) else {
            return S3XML.error(
                .notFound, code: "NoSuchKey", message: "The specified key does not exist.",
                resource: "/\(configuration.s3.bucket)/\(key)", requestID: statistics.nextRequestID())
        }
        var reset = false
        for fault in faults where !head {
            switch fault {
            case .truncatedObject: object.bytes = Array(object.bytes.prefix(object.bytes.count / 2))
            case .malformedRows(let every):
                object = try store.corruptedObject(forKey: key, every: every, nowMs: nowMs) ?? object
            case .resetMidBody: reset = true
            default: break
            }
        }
        let response = S3ObjectResponse.make(
            object, rangeHeader: request.headers[.range], ifMatch: request.headers[.ifMatch], head: head,
            resetMidBody: reset, requestID: statistics.nextRequestID())
        if response.status.code < 300 { statistics.count(head ? "s3.head.ok" : "s3.get.ok") }
        return response
    }

    /// nil when the request is signed with the sandbox's credentials; otherwise S3's 403.
    private func authenticate(_ request: Request) -> Response? {
        let raw = request.head.path ?? request.uri.path
        let pathEnd = raw.firstIndex(of: "?") ?? raw.endIndex
        let rawQuery = pathEnd < raw.endIndex ? String(raw[raw.index(after: pathEnd)...]) : ""
        let outcome = verifier.verify(
            method: request.method.rawValue, rawPath: String(raw[..<pathEnd]), rawQuery: rawQuery
        ) { name in
            if name == "host" { return request.head.authority }
            return HTTPFields.Element.Name(name).flatMap { request.headers[$0] }
        }
        let resource = String(raw[..<pathEnd])
        let id = statistics.nextRequestID()
        switch outcome {
        case .valid:
            return nil
        case .malformed(let reason):
            statistics.count("s3.denied")
            return S3XML.error(
                .forbidden, code: "AccessDenied", message: "Access Denied (\(reason))", resource: resource,
                requestID: id)
        case .unknownAccessKey:
            statistics.count("s3.denied")
            return S3XML.error(
                .forbidden, code: "InvalidAccessKeyId",
                message: "The AWS Access Key Id you provided does not exist in our records.", resource: resource,
                requestID: id)
        case .mismatch:
            statistics.count("s3.denied")
            return S3XML.error(
                .forbidden, code: "SignatureDoesNotMatch",
                message: "The request signature we calculated does not match the signature you provided. "
                    + "Check your key and signing method.", resource: resource, requestID: id)
        }
    }
}
