import CoreMetrics
import Prometheus
import Synchronization

/// The `gui`'s metrics, shown at `/metrics`: a Prometheus registry of its own (so two web apps in
/// one process, as in the tests, never share counts, and nothing is bootstrapped process-wide).
///
/// What happens in the server (requests, store reads, live clients and frames, refused tokens) is
/// recorded through swift-metrics' API (`Counter`, `Timer`, `Meter`) on a `PrometheusMetricsFactory`
/// over that registry. What is read from the warehouse when `/metrics` is scraped (tasks, runs,
/// ingestion totals, the monitor's backfill) is set on the registry's own gauges and counters with
/// their help text, by ``ScrapedSeries``. Labels come from fixed sets (route templates, status
/// classes, task kinds and states), never from input such as symbols.
public final class WebMetrics: Sendable {
    /// Upper bounds (seconds) of the duration histograms' buckets.
    static let bucketBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    /// Open live WebSocket connections.
    let webSocketClients: Meter
    /// Live bar frames sent to browsers.
    let liveFrames: CoreMetrics.Counter
    /// Requests refused for a missing or wrong token.
    let unauthorized: CoreMetrics.Counter
    /// Reads of a chart's bars from the store.
    let storeReads: CoreMetrics.Timer
    /// Scrapes set the warehouse's figures and emit them one at a time, so an emitted page is the
    /// figures of one reading.
    let scrapeLock = Mutex(ScrapedSeries())

    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.bucketBounds.map { .nanoseconds(Int64(($0 * 1e9).rounded())) }
        self.registry = registry
        self.factory = factory
        webSocketClients = Meter(label: "backfill_gui_websocket_clients", factory: factory)
        liveFrames = CoreMetrics.Counter(label: "backfill_gui_live_frames_total", factory: factory)
        unauthorized = CoreMetrics.Counter(label: "backfill_gui_unauthorized_total", factory: factory)
        storeReads = CoreMetrics.Timer(label: "backfill_gui_store_read_seconds", factory: factory)
        // Present from the start (at zero), as a scraper expects of a gauge.
        webSocketClients.set(0)
    }

    /// Records one answered request.
    /// - Parameters:
    ///   - route: the route template (from ``routeLabel(_:)``).
    ///   - status: the HTTP status code.
    ///   - elapsed: time from the request's arrival to its response.
    func record(route: String, status: Int, elapsed: Duration) {
        CoreMetrics.Counter(
            label: "backfill_gui_requests_total", dimensions: [("route", route), ("status", "\(status / 100)xx")],
            factory: factory
        ).increment()
        CoreMetrics.Timer(
            label: "backfill_gui_request_duration_seconds", dimensions: [("route", route)], factory: factory
        ).record(duration: elapsed)
    }

    /// A live WebSocket opened (`true`) or closed.
    func liveClient(connected: Bool) {
        if connected { webSocketClients.increment() } else { webSocketClients.decrement() }
    }

    /// One live bar frame sent to a browser.
    func liveFrameSent() { liveFrames.increment() }

    /// One request refused for a missing or wrong token.
    func refusedToken() { unauthorized.increment() }

    /// Records one read of bars from the store (the chart endpoints).
    func recordStoreRead(_ elapsed: Duration) {
        storeReads.record(duration: elapsed)
    }

    /// The registry's text as it is now (without the warehouse's figures a scrape adds).
    func exposition() -> String { registry.emitToString() }

    /// The label for a request path: a known route, or `other` (so unknown paths cannot grow the table).
    static func routeLabel(_ path: String) -> String {
        knownRoutes.contains(path) ? path : (path.hasPrefix("/static/") ? "/static" : "other")
    }

    static let knownRoutes: Set<String> = [
        "/", "/monitor", "/api/inventory", "/api/tickers", "/api/bars", "/api/indicators", "/api/actions", "/api/news",
        "/api/ledger", "/api/gaps", "/api/tasks", "/api/runs", "/api/live", "/api/backfill", "/api/backfill/stop",
        "/api/repair",
        "/metrics",
    ]
}

extension CoreMetrics.Timer {
    /// Records a `Duration` (nanosecond resolution).
    func record(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
