import Hummingbird
import Synchronization

/// Requires the gui's token on every request and WebSocket upgrade: `Authorization: Bearer TOKEN`,
/// the `gui_token` cookie, or `?token=TOKEN` (which sets the cookie, so a browser opened on
/// `http://host:8080/?token=…` keeps working). The token is never logged or echoed.
struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    static var cookieName: String { "gui_token" }
    let token: String
    let metrics: WebMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let cookie = request.cookies[Self.cookieName]?.value
        if matches(bearer) || matches(cookie) { return try await next(request, context) }
        if matches(request.uri.queryParameters["token"].map(String.init)) {
            var response = try await next(request, context)
            response.setCookie(.init(name: Self.cookieName, value: token, path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
        metrics.refusedToken()
        throw APIError(
            "this gui requires its token (GUI_TOKEN): send Authorization: Bearer …, or open /?token=…",
            status: .unauthorized)
    }

    /// Compares in time independent of where the first difference is.
    private func matches(_ candidate: String?) -> Bool {
        guard let candidate else { return false }
        let a = Array(candidate.utf8)
        let b = Array(token.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<min(a.count, b.count) { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
