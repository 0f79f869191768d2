import BackfillCore
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Ingestion

extension WebApp {
    /// `GET /api/backfill` (status and log), `POST /api/backfill` (start; a JSON body
    /// `{"tickers":"AMD,NVDA","years":1,"sandbox":true,"phases":"daily,minute","flatFiles":false}`) and
    /// `POST /api/backfill/stop`. Posts must be JSON from the same origin, so another site open in
    /// the browser cannot start work on this machine (a cross-site form cannot send JSON).
    func addBackfillRoutes(to router: Router<BasicWebSocketRequestContext>) {
        router.get("/api/backfill") { _, _ in self.backfillStatus(try self.requireLauncher().status()) }
        router.post("/api/backfill") { request, context in
            try Self.requireSameOriginJSON(request)
            let body = try await request.body.collect(upTo: 16_384)
            let launch = try Self.backfillRequest(Data(body.readableBytesView))
            return self.backfillStatus(try self.requireLauncher().start(launch))
        }
        router.post("/api/repair") { request, context in
            try Self.requireSameOriginJSON(request)
            let body = try await request.body.collect(upTo: 16_384)
            let repair = try Self.repairRequest(Data(body.readableBytesView))
            return self.backfillStatus(try self.requireLauncher().start(repair))
        }
        router.post("/api/backfill/stop") { request, _ in
            try Self.requireSameOriginJSON(request)
            return self.backfillStatus(try self.requireLauncher().stop())
        }
    }

    private func requireLauncher() throws -> BackfillLauncher {
        guard let launcher else {
            throw APIError("this gui cannot start backfills (no scraper executable configured)", status: .notFound)
        }
        return launcher
    }

    static func requireSameOriginJSON(_ request: Request) throws {
        guard request.headers[.contentType]?.hasPrefix("application/json") == true else {
            throw APIError("send the request as JSON (Content-Type: application/json)", status: .unsupportedMediaType)
        }
        if let origin = request.headers[.origin], let host = request.head.authority,
            origin != "http://\(host)" && origin != "https://\(host)"
        {
            throw APIError("cross-origin request refused (Origin \(origin))", status: .forbidden)
        }
    }

    /// Reads and checks the start request: 1…100 valid tickers, 1…30 years.
    static func backfillRequest(_ data: Data) throws -> BackfillLauncher.Request {
        struct Body: Decodable {
            var tickers: String?
            var years: Int?
            var sandbox: Bool?
            var minute: Bool?
            var news: Bool?
            var live: Bool?
            var phases: String?
            var flatFiles: Bool?
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: data) else {
            throw APIError(#"the body must be JSON like {"tickers":"AMD,NVDA","years":1,"sandbox":true}"#)
        }
        let tickers = Symbol.parseList(body.tickers ?? "")
        guard (1...100).contains(tickers.count) else { throw APIError("tickers must list 1 to 100 symbols") }
        if let problem = tickers.lazy.compactMap({ Symbol.problem(with: $0) }).first {
            throw APIError("tickers: \(problem)")
        }
        let years = body.years ?? 1
        guard (1...30).contains(years) else { throw APIError("years must be 1…30, got \(years)") }
        var phases: String?
        if let text = body.phases {
            let all = BackfillPhase.allCases.map(\.rawValue).joined(separator: ",")
            guard text.contains(where: { $0.isLetter }) else {
                throw APIError("phases must name at least one of \(all)")
            }
            let parsed: Set<BackfillPhase>
            do { parsed = try BackfillPhase.parseList(text) } catch { throw APIError("phases: \(error.message)") }
            phases = parsed.sorted().map(\.rawValue).joined(separator: ",")
        }
        return .init(
            tickers: tickers, years: years, sandbox: body.sandbox ?? false, minute: body.minute ?? true,
            news: body.news ?? true, live: body.live ?? false, phases: phases, flatFiles: body.flatFiles ?? false)
    }

    /// Reads and checks a repair request: one valid symbol and a range of at most ``maxLedgerDays``.
    static func repairRequest(_ data: Data) throws -> BackfillLauncher.Request {
        struct Body: Decodable {
            var symbol: String?
            var from: String?
            var to: String?
            var sandbox: Bool?
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: data) else {
            throw APIError(#"the body must be JSON like {"symbol":"AMD","from":"2025-01-06","to":"2025-01-17"}"#)
        }
        let symbol = body.symbol ?? ""
        if let problem = Symbol.problem(with: symbol) { throw APIError("symbol: \(problem)") }
        guard let from = body.from.flatMap({ LocalDate($0) }), let to = body.to.flatMap({ LocalDate($0) }) else {
            throw APIError("from and to must be dates (YYYY-MM-DD), got '\(body.from ?? "")' and '\(body.to ?? "")'")
        }
        guard let range = DayRange(from, to) else { throw APIError("from \(from) is after to \(to)") }
        guard range.dayCount <= maxLedgerDays else {
            throw APIError("the repair range \(range) is longer than \(maxLedgerDays) days")
        }
        return .init(tickers: [symbol], years: 1, sandbox: body.sandbox ?? false, repair: range)
    }

    private func backfillStatus(_ status: BackfillLauncher.Status) -> Response {
        var json = JSONText(capacity: status.log.utf8.count + 256)
        json.object { json in
            json.field("running", status.running)
            json.key("arguments")
            json.array { json in for argument in status.arguments { json.string(argument) } }
            json.field("startedAtMs", status.startedAtMs)
            json.field("exitCode", status.exitCode.map(Int64.init))
            json.field("log", status.log)
            json.key("progress")
            json.array { json in
                for sample in status.progress {
                    json.object { json in
                        json.field("elapsed", sample.elapsedSeconds)
                        json.field("bars", sample.bars)
                        json.field("barsPerSecond", sample.barsPerSecond)
                        json.field("requests", sample.requests)
                        json.field("retries", sample.retries)
                        json.field("rateLimited", sample.rateLimited)
                        json.field("chunksDone", sample.chunksDone)
                        json.field("chunksFailed", sample.chunksFailed)
                        json.field("chunksTotal", sample.chunksTotal)
                        json.field("eta", sample.etaSeconds)
                        json.field("rateBudget", sample.rateBudget)
                        json.field("lastError", sample.lastError)
                        json.field("requestP50Ms", sample.requestP50Ms)
                        json.field("requestP99Ms", sample.requestP99Ms)
                        json.field("storeWriteP50Ms", sample.storeWriteP50Ms)
                        json.field("storeWriteP99Ms", sample.storeWriteP99Ms)
                        json.field("requestsTimed", sample.requestsTimed)
                        json.field("storeWrites", sample.storeWrites)
                    }
                }
            }
        }
        return Self.jsonResponse(json)
    }
}
