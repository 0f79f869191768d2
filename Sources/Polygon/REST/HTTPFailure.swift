import BackfillCore
import Foundation
import NIOHTTP1

/// Turns a non-200 response into a ``PolygonError`` that says what happened and what to do.
enum HTTPFailure {
    static func error(
        status: Int, headers: HTTPHeaders, body: Data, url: String, redactor: Redactor, onRateLimit: () -> Void
    ) -> PolygonError {
        let parsed = try? JSONDecoder().decode(ErrorBody.self, from: body)
        let serverText = parsed?.text.map { "'\(redactor.redact($0))'" } ?? ResponseDecoding.preview(body)
        let retryAfter = RetryPolicy.parseRetryAfter(headers.first(name: "Retry-After"))
        let hint = retryAfter.map { RetryAfterHint(seconds: $0) }
        switch status {
        case 401:
            return PolygonError(
                .unauthorized,
                "the API key was refused (\(serverText)); check POLYGON_API_KEY / MASSIVE_API_KEY", url: url,
                httpStatus: status, isRetryable: false)
        case 403:
            return PolygonError(
                .forbidden, "access denied (\(serverText)); your plan may not include this data", url: url,
                httpStatus: status, isRetryable: false)
        case 429:
            onRateLimit()
            return PolygonError(
                .rateLimited, "rate limited by the server (\(serverText)); lower --rate-limit", url: url,
                httpStatus: status, isRetryable: true, underlying: hint)
        case 413, 499, 500...599:
            return PolygonError(
                .server, "server error (\(serverText))", url: url, httpStatus: status, isRetryable: true,
                underlying: hint)
        default:
            return PolygonError(
                .badRequest, "request rejected (\(serverText))", url: url, httpStatus: status, isRetryable: false)
        }
    }
}
