import Synchronization

/// The `gui`'s own counters, shown at `/metrics` with the warehouse's task states. Labels come
/// from fixed sets (route templates, status classes), never from input such as symbols.
public final class WebMetrics: Sendable {
    /// Upper bounds (seconds) of the request-duration histogram buckets.
    static let bucketBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Series: Sendable {
        var count = 0
        var sum = 0.0
        var buckets = [Int](repeating: 0, count: WebMetrics.bucketBounds.count)
    }

    /// Open live WebSocket connections.
    public let webSocketClients = Atomic<Int>(0)
    /// Live bar frames sent to browsers.
    public let liveFrames = Atomic<Int>(0)
    /// Requests refused for a missing or wrong token.
    public let unauthorized = Atomic<Int>(0)
    private let requests = Mutex<[String: Int]>([:])
    private let storeReads = Mutex(Series())
    private let durations = Mutex<[String: Series]>([:])

    public init() {}

    /// Records one answered request.
    /// - Parameters:
    ///   - route: the route template (from ``routeLabel(_:)``).
    ///   - status: the HTTP status code.
    ///   - seconds: time from the request's arrival to its response.
    func record(route: String, status: Int, seconds: Double) {
        requests.withLock { $0["\(route)|\(status / 100)xx", default: 0] += 1 }
        durations.withLock { table in
            var series = table[route] ?? Series()
            series.count += 1
            series.sum += seconds
            for (index, bound) in Self.bucketBounds.enumerated() where seconds <= bound { series.buckets[index] += 1 }
            table[route] = series
        }
    }

    /// Records one read of bars from the store (the chart endpoints), in seconds.
    func recordStoreRead(seconds: Double) {
        storeReads.withLock { series in
            series.count += 1
            series.sum += seconds
            for (index, bound) in Self.bucketBounds.enumerated() where seconds <= bound { series.buckets[index] += 1 }
        }
    }

    /// Store read durations.
    var storeReadSeries: Series { storeReads.withLock { $0 } }

    /// Request counts by `route|class`.
    var requestCounts: [String: Int] { requests.withLock { $0 } }
    /// Duration series by route.
    var durationSeries: [String: Series] { durations.withLock { $0 } }

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
