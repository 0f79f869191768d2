import Hummingbird
import NIOCore

/// GetObject / HeadObject answers: whole object, `Range` (206 with `Content-Range`), 416 for an
/// unsatisfiable range, 412 when `If-Match` names another ETag, and the mid-body reset fault.
enum S3ObjectResponse {
    struct ResetMidBody: Error {}

    static func make(
        _ object: S3Object, rangeHeader: String?, ifMatch: String?, head: Bool, resetMidBody: Bool, requestID: String
    ) -> Response {
        let total = object.bytes.count
        if let ifMatch, ifMatch != "*", ifMatch != object.etag {
            return S3XML.error(
                .preconditionFailed, code: "PreconditionFailed",
                message: "At least one of the pre-conditions you specified did not hold", resource: object.key,
                requestID: requestID)
        }
        var range = 0..<total
        var status = HTTPResponse.Status.ok
        var headers: HTTPFields = [
            .contentType: "application/octet-stream", .eTag: object.etag, .acceptRanges: "bytes",
            .lastModified: S3XML.httpDate(object.lastModifiedMs),
        ]
        if let rangeHeader, !head {
            guard let parsed = parseRange(rangeHeader, total: total) else {
                headers[.contentRange] = "bytes */\(total)"
                var response = S3XML.error(
                    .rangeNotSatisfiable, code: "InvalidRange", message: "The requested range is not satisfiable",
                    resource: object.key, requestID: requestID)
                response.headers[.contentRange] = "bytes */\(total)"
                return response
            }
            range = parsed
            status = .partialContent
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(total)"
        }
        headers[.contentLength] = String(range.count)
        if head { return Response(status: status, headers: headers, body: .init()) }
        let slice = ByteBuffer(bytes: object.bytes[range])
        guard resetMidBody else { return Response(status: status, headers: headers, body: .init(byteBuffer: slice)) }
        let half = slice.getSlice(at: slice.readerIndex, length: slice.readableBytes / 2) ?? ByteBuffer()
        return Response(
            status: status, headers: headers,
            body: .init(contentLength: range.count) { writer in
                try await writer.write(half)
                throw ResetMidBody()
            })
    }

    /// `bytes=a-b`, `bytes=a-`, `bytes=-n` → a half-open range within `0..<total`; nil when unsatisfiable.
    static func parseRange(_ header: String, total: Int) -> Range<Int>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        if spec[0].isEmpty {
            guard let suffix = Int(spec[1]), suffix > 0, total > 0 else { return nil }
            return max(0, total - suffix)..<total
        }
        guard let first = Int(spec[0]), first < total else { return nil }
        let last = spec[1].isEmpty ? total - 1 : min(Int(spec[1]) ?? -1, total - 1)
        guard last >= first else { return nil }
        return first..<(last + 1)
    }
}

/// S3-shaped answers for the faults that replace a response entirely.
enum S3FaultResponses {
    /// The response for `fault` before any object is read, or nil when the fault changes the body instead.
    static func early(_ fault: Fault, requestID: String) async throws -> Response? {
        switch fault {
        case .latency(let ms):
            try await Task.sleep(for: .milliseconds(ms))
            return nil
        case .status(let code, let retryAfter):
            let s3Code = code == 503 ? "SlowDown" : (code >= 500 ? "InternalError" : "ServiceUnavailable")
            var response = S3XML.error(
                .init(code: code), code: s3Code, message: "sandbox fault injection (\(code))", resource: "",
                requestID: requestID)
            if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
            return response
        case .gatewayHTML(let code):
            return ErrorResponses.gatewayHTML(code)
        default:
            return nil
        }
    }
}
