import BackfillCore
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import MessageBus
import Storage

/// The `gui` web app: the chart page and its scripts, the JSON API behind them, the live WebSocket
/// and `/metrics`. Every input is validated (a bad one is a 400 that says what is wrong), every
/// response is bounded (a long range is answered a page at a time), and with a token set every
/// request and WebSocket must carry it.
public struct WebApp: Sendable {
    public struct Configuration: Sendable {
        /// When set, required on every request (`Authorization: Bearer`, the `gui_token` cookie, or
        /// `?token=` once, which sets the cookie). Required to bind a non-loopback address.
        public var token: String?
        /// Most bars one chart response holds.
        public var maxBars: Int
        /// Most stored bars read for one resampled response (bounds memory: 600,000 minute bars is
        /// about two years with extended hours, ~40 MB).
        public var maxSourceBars: Int
        /// Live messages buffered per WebSocket client before the oldest are dropped.
        public var liveBufferSize: Int

        public init(
            token: String? = nil, maxBars: Int = 100_000, maxSourceBars: Int = 600_000, liveBufferSize: Int = 256
        ) {
            self.token = token
            self.maxBars = maxBars
            self.maxSourceBars = maxSourceBars
            self.liveBufferSize = liveBufferSize
        }
    }

    public let store: any WarehouseStore
    /// Where stored live bars are announced (`bars.1m.SYMBOL`); nil: the live socket only says hello.
    public let bus: (any MessageBus)?
    public let configuration: Configuration
    public let metrics: WebMetrics
    /// Starts and stops `scraper` backfills for the monitor; nil: the monitor is read-only.
    public let launcher: BackfillLauncher?
    /// Backfills in other processes, from their progress on ``bus`` (see ``followBusProgress()``).
    public let busRuns = BusRuns()
    let calendar = TradingCalendar()

    public init(
        store: any WarehouseStore, bus: (any MessageBus)? = nil, configuration: Configuration = Configuration(),
        metrics: WebMetrics = WebMetrics(), launcher: BackfillLauncher? = nil
    ) {
        self.launcher = launcher
        self.store = store
        self.bus = bus
        self.configuration = configuration
        self.metrics = metrics
    }

    /// Follows backfill progress on the bus for `/metrics` until the task is cancelled (returns at
    /// once without a bus).
    public func followBusProgress() async {
        guard let bus else { return }
        await busRuns.follow(bus)
    }

    /// The routes; one router serves HTTP and the WebSocket upgrade.
    public func makeRouter() -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        if let token = configuration.token { router.add(middleware: TokenMiddleware(token: token, metrics: metrics)) }
        addPageRoutes(to: router)
        router.get("/api/inventory") { _, _ in try await self.inventory() }
        router.get("/api/tickers") { request, _ in try await self.tickers(request) }
        router.get("/api/bars") { request, _ in try await self.chart(request, includeBars: true) }
        router.get("/api/indicators") { request, _ in try await self.chart(request, includeBars: false) }
        router.get("/api/actions") { request, _ in try await self.actions(request) }
        router.get("/api/news") { request, _ in try await self.news(request) }
        router.get("/api/ledger") { request, _ in try await self.ledger(request) }
        router.get("/api/gaps") { request, _ in try await self.gaps(request) }
        router.get("/api/tasks") { request, _ in try await self.tasks(request) }
        router.get("/api/runs") { request, _ in try await self.runs(request) }
        router.get("/metrics") { _, _ in try await self.metricsPage() }
        addLiveRoute(to: router)
        addBackfillRoutes(to: router)
        return router
    }

    /// The server: HTTP/1 with the WebSocket upgrade for `/api/live`.
    /// - Parameter onRunning: receives the bound port.
    public func makeApplication(
        host: String, port: Int, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = makeRouter()
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(
                webSocketRouter: router,
                configuration: .init(ws: .init(maxFrameSize: 1 << 16, autoPing: .enabled(timePeriod: .seconds(30))))),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    private func inventory() async throws -> Response {
        let data = try JSONEncoder().encode(try await store.inventory())
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func jsonResponse(_ json: JSONText) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: json.buffer))
    }
}
