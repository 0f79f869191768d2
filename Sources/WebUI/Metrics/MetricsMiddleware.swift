import Hummingbird

/// Counts every request by route and status class and times it, for `/metrics`.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: WebMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        let route = WebMetrics.routeLabel(request.uri.path)
        do {
            let response = try await next(request, context)
            metrics.record(route: route, status: response.status.code, elapsed: ContinuousClock.now - started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.record(route: route, status: status, elapsed: ContinuousClock.now - started)
            throw error
        }
    }
}
