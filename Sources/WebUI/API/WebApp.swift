import BackfillCore
import Foundation
import Hummingbird
import Storage

/// The `gui` web app's routes. This first slice serves what is stored (inventory and bars as JSON)
/// and a plain status page; the charting UI builds on these endpoints.
public struct WebApp: Sendable {
    public let store: any BarStore
    /// Most bars one request may return.
    public static let maxBars = 50_000

    public init(store: any BarStore) {
        self.store = store
    }

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { _, _ in try await self.statusPage() }
        router.get("/api/inventory") { _, _ in try await self.json(self.store.inventory()) }
        router.get("/api/bars") { request, _ in try await self.bars(request) }
        return router
    }

    private func bars(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        guard let symbol = query["symbol"].map(String.init), Symbol.problem(with: symbol) == nil else {
            return badRequest("symbol is required and must be a valid ticker")
        }
        let label = query["timeframe"].map(String.init) ?? "1d"
        guard let timeframe = Timeframe(label: label), timeframe == .minute || timeframe == .day else {
            return badRequest("timeframe must be 1m or 1d, got '\(label)'")
        }
        guard let fromMs = Int64(query["from"].map(String.init) ?? "0"),
            let toMs = Int64(query["to"].map(String.init) ?? String(Int64.max))
        else { return badRequest("from and to are milliseconds since the epoch") }
        let limit = Int(query["limit"].map(String.init) ?? "\(Self.maxBars)") ?? -1
        guard (1...Self.maxBars).contains(limit) else {
            return badRequest("limit must be between 1 and \(Self.maxBars); page with from= after the last bar")
        }
        if let adjust = query["adjust"].map(String.init), adjust != BarAdjustment.none.rawValue {
            // Adjusted on read from the stored splits and dividends; the stored bars stay raw.
            guard let adjustment = BarAdjustment(rawValue: adjust), let reference = store as? any ReferenceStore else {
                return badRequest("adjust must be none, splits or all, got '\(adjust)'")
            }
            return try json(
                try await reference.bars(
                    symbol: symbol, timeframe: timeframe, fromMs: fromMs, toMs: toMs, limit: limit,
                    adjustment: adjustment))
        }
        return try json(
            try await store.bars(symbol: symbol, timeframe: timeframe, fromMs: fromMs, toMs: toMs, limit: limit))
    }

    private func statusPage() async throws -> Response {
        let rows = try await store.inventory().map { row in
            "<tr><td>\(escape(row.symbol))</td><td>\(row.timeframe)</td><td>\(row.bars)</td>"
                + "<td>\(row.firstMs.map(iso) ?? "")</td><td>\(row.lastMs.map(iso) ?? "")</td></tr>"
        }
        let html = """
            <!doctype html><html><head><meta charset="utf-8"><title>Backfill</title>
            <style>body{font:14px system-ui;margin:2em}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd}</style>
            </head><body><h1>Backfill warehouse</h1>
            <table><thead><tr><th>symbol</th><th>timeframe</th><th>bars</th><th>first</th><th>last</th></tr></thead>
            <tbody>\(rows.joined())</tbody></table></body></html>
            """
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    private func json(_ value: some Encodable) throws -> Response {
        let data = try JSONEncoder().encode(value)
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func badRequest(_ message: String) -> Response {
        let body = (try? JSONEncoder().encode(["error": message])) ?? Data()
        return Response(
            status: .badRequest, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func iso(_ ms: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ms) / 1_000))
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
