import Hummingbird
import NIOCore

/// Responses shaped like Polygon's, errors included.
enum ErrorResponses {
    static func ok(_ body: [UInt8]) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Announces the whole body, sends half, then drops the connection (a reset mid-body).
    static func cutOff(_ body: [UInt8]) -> Response {
        let half = ByteBuffer(bytes: body.prefix(body.count / 2))
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(contentLength: body.count) { writer in
                try await writer.write(half)
                throw S3ObjectResponse.ResetMidBody()
            })
    }

    static func json(_ status: HTTPResponse.Status, status text: String, text message: String, requestID: String)
        -> Response
    {
        var json = JSONWriter()
        json.raw("{"); json.key("status"); json.string(text)
        json.raw(","); json.key("request_id"); json.string(requestID)
        json.raw(","); json.key(text == "NOT_AUTHORIZED" ? "message" : "error"); json.string(message)
        json.raw("}")
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }

    static func notAuthorized(requestID: String) -> Response {
        json(
            .forbidden, status: "NOT_AUTHORIZED",
            text: "You are not entitled to this data. Please upgrade your plan at https://polygon.io/pricing",
            requestID: requestID)
    }

    static func status(_ code: Int, retryAfter: Int?, requestID: String) -> Response {
        let message =
            code == 429
            ? "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue."
            : "Internal server error (sandbox fault injection)"
        var response = json(.init(code: code), status: "ERROR", text: message, requestID: requestID)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    static func gatewayHTML(_ code: Int) -> Response {
        let html =
            "<html><head><title>\(code) Bad Gateway</title></head><body><center><h1>\(code) Bad Gateway</h1></center></body></html>\n"
        return Response(
            status: .init(code: code), headers: [.contentType: "text/html"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
