import Hummingbird
import HummingbirdWebSocket

extension WebApp {
    /// The page and its scripts, compiled into the binary: no CDN, no build step, no files to install.
    func addPageRoutes(to router: Router<BasicWebSocketRequestContext>) {
        router.get("/") { _, _ in Self.asset(PageAssets.indexHTML, type: "text/html; charset=utf-8") }
        router.get("/monitor") { _, _ in Self.asset(PageAssets.monitorHTML, type: "text/html; charset=utf-8") }
        router.get("/static/style.css") { _, _ in Self.asset(PageAssets.styleCSS, type: "text/css; charset=utf-8") }
        for (name, text) in PageAssets.scripts {
            router.get(RouterPath(stringLiteral: "/static/\(name)")) { _, _ in
                Self.asset(text, type: "text/javascript; charset=utf-8")
            }
        }
    }

    private static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type, .cacheControl: "no-cache",
                .contentSecurityPolicy: "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
