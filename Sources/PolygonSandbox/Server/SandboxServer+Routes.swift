import BackfillCore
import Hummingbird

extension SandboxServer {
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let reference = ReferenceEndpoints(market: market)
        let actions = CorporateActionEndpoints(market: market)
        let news = NewsEndpoint(market: market)
        let status = MarketEndpoints(market: market)
        router.get("/v2/aggs/ticker/:ticker/range/:multiplier/:timespan/:from/:to") { request, context in
            let p = context.parameters
            return try await self.serve("aggregates", request, ticker: p.get("ticker")) { list in
                AggregatesQuery.parse(
                    ticker: p.get("ticker") ?? "", multiplier: p.get("multiplier") ?? "",
                    timespan: p.get("timespan") ?? "",
                    from: p.get("from") ?? "", to: p.get("to") ?? "", query: list.query
                ).map {
                    self.endpoint.page(
                        for: $0, nowMs: self.configuration.nowMs(), baseURL: list.baseURL, requestID: self.nextID())
                }
            }
        }
        router.get("/v2/aggs/grouped/locale/us/market/stocks/:date") { request, context in
            try await self.serve("grouped", request) { list in
                guard let date = context.parameters.get("date").flatMap({ LocalDate($0) }) else {
                    return .failure(.badRequest("date must be YYYY-MM-DD"))
                }
                return .success(
                    status.grouped(
                        date, adjusted: list["adjusted"] != "false", nowMs: self.configuration.nowMs(),
                        requestID: self.nextID()))
            }
        }
        router.get("/v2/aggs/ticker/:ticker/prev") { request, context in
            let ticker = context.parameters.get("ticker") ?? ""
            return try await self.serve("prev", request, ticker: ticker) { list in
                .success(
                    status.previousClose(
                        ticker, adjusted: list["adjusted"] != "false", nowMs: self.configuration.nowMs(),
                        requestID: self.nextID()))
            }
        }
        router.get("/v3/reference/tickers") { request, _ in
            try await self.serve("tickers", request) { reference.tickers($0, nowMs: self.configuration.nowMs()) }
        }
        router.get("/v3/reference/tickers/types") { request, _ in
            try await self.serve("types", request) { _ in .success(reference.types()) }
        }
        router.get("/v3/reference/tickers/:ticker") { request, context in
            let ticker = context.parameters.get("ticker") ?? ""
            return try await self.serve("details", request, ticker: ticker) {
                reference.details(ticker, $0, nowMs: self.configuration.nowMs())
            }
        }
        router.get("/vX/reference/tickers/:id/events") { request, context in
            try await self.serve("events", request) { _ in reference.events(context.parameters.get("id") ?? "") }
        }
        router.get("/v3/reference/exchanges") { request, _ in
            try await self.serve("exchanges", request) { _ in .success(reference.exchanges()) }
        }
        for (path, modern) in [("/v3/reference/splits", false), ("/stocks/v1/splits", true)] {
            router.get(RouterPath(path)) { request, _ in
                try await self.serve("splits", request) {
                    actions.splits($0, modern: modern, nowMs: self.configuration.nowMs())
                }
            }
        }
        for (path, modern) in [("/v3/reference/dividends", false), ("/stocks/v1/dividends", true)] {
            router.get(RouterPath(path)) { request, _ in
                try await self.serve("dividends", request) {
                    actions.dividends($0, modern: modern, nowMs: self.configuration.nowMs())
                }
            }
        }
        router.get("/v2/reference/news") { request, _ in
            try await self.serve("news", request) { news.news($0, nowMs: self.configuration.nowMs()) }
        }
        router.get("/v1/marketstatus/now") { request, _ in
            try await self.serve("status", request) { _ in .success(status.status(nowMs: self.configuration.nowMs())) }
        }
        router.get("/v1/marketstatus/upcoming") { request, _ in
            try await self.serve("upcoming", request) { _ in
                .success(status.upcoming(nowMs: self.configuration.nowMs()))
            }
        }
        S3Routes.register(on: router, configuration: configuration, statistics: statistics, market: market)
        return router
    }

    /// The common path of every REST route: count it, check the key and plan limits, inject the
    /// configured faults, then answer with the endpoint's JSON or Polygon's error body.
    func serve(
        _ route: String, _ request: Request, ticker: String? = nil,
        _ endpoint: (ListRequest) -> Result<[UInt8], SandboxRequestError>
    ) async throws -> Response {
        statistics.count(route)
        if let denied = authorize(request) { return denied }
        if let ticker, configuration.forbiddenTickers.contains(ticker) {
            return ErrorResponses.notAuthorized(requestID: nextID())
        }
        let faults = configuration.faults.faults(for: request.uri.path)
        for fault in faults {
            if let response = try await apply(fault, ticker: ticker ?? "") { return response }
        }
        let query = Dictionary(
            request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { $1 })
        let host = request.head.authority ?? "\(configuration.host):\(configuration.port)"
        switch endpoint(ListRequest(path: request.uri.path, query: query, baseURL: "http://\(host)")) {
        case .success(let body):
            statistics.count("\(route).ok")
            return faults.contains(.resetMidBody) ? ErrorResponses.cutOff(body) : ErrorResponses.ok(body)
        case .failure(.badRequest(let message)):
            return ErrorResponses.json(.badRequest, status: "ERROR", text: message, requestID: nextID())
        case .failure(.notFound(let message)):
            return ErrorResponses.json(.notFound, status: "NOT_FOUND", text: message, requestID: nextID())
        }
    }
}
