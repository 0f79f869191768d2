import Foundation
import Hummingbird

/// A request the API refuses, with a sentence saying what is wrong and how to fix it; answered as
/// `{"error": message}` with its status (400 for bad input, 401 without the token, 404 unknown).
public struct APIError: Error, HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ message: String, status: HTTPResponse.Status = .badRequest) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code): \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var text = JSONText()
        text.object { $0.field("error", message) }
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: text.bytes)))
    }
}
