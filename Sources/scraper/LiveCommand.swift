import ArgumentParser
import BackfillCore
import Foundation
import Ingestion
import Logging
import MessageBus
import Polygon
import PolygonSandbox
import PostgresStore
import Storage

/// `scraper live`: the WebSocket feed's minute bars through the backfill's path into the warehouse.
struct LiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Store live minute bars from the WebSocket feed (AM.*), with indicators, until Ctrl-C.",
        discussion: """
            Subscribes to AM.<ticker> for --tickers (or AM.* for --all), validates each minute bar, continues
            the indicators from the state the backfill saved, upserts the bar (a minute Polygon re-sends with
            late trades replaces the stored one) and publishes it on the bus topic bars.1m.<ticker>. After a
            disconnect, the missed minutes are fetched from REST before live bars resume. --sandbox replays a
            past session of the offline sandbox at --sandbox-speed.
            """)

    @Option(help: "Comma-separated tickers, case-sensitive (e.g. AAPL,MSFT,BRK.B).")
    var tickers: String?

    @Flag(help: "Every ticker (AM.*).")
    var all = false

    @Option(help: "SQLite database file, or postgres://user@host:port/db (password from DB_PASSWORD).")
    var db: String = StoreChoice.defaultPath

    @Flag(help: "Use the built-in offline Polygon sandbox (no API key, no network).")
    var sandbox = false

    @Option(help: "Seed of the sandbox's synthetic market.")
    var sandboxSeed: UInt64 = 42

    @Option(help: "Market seconds per real second of the sandbox's replay (60: a minute bar every second).")
    var sandboxSpeed: Double = 60

    @Option(
        help:
            "New York time the sandbox replay starts at (YYYY-MM-DD or YYYY-MM-DDTHH:MM). Default: 09:30 of the last session before today."
    )
    var sandboxStart: String?

    @Flag(
        help:
            "Do not fetch the session's earlier minutes from REST before each ticker's first live bar (always off with --all)."
    )
    var noCatchUp = false

    @Option(help: "Stop after this many seconds (default: run until Ctrl-C).")
    var duration: Double?

    @Option(help: "REST base URL for gap refills (default POLYGON_BASE_URL, else https://api.polygon.io).")
    var baseURL: String?

    @Option(help: "WebSocket URL (default wss://socket.polygon.io/stocks; the --base-url host's /stocks when given).")
    var feedURL: String?

    @Flag(help: "Use Polygon's 15-minute delayed feed (wss://delayed.polygon.io/stocks).")
    var delayed = false

    @Option(
        help: "REST requests per minute for gap refills (default POLYGON_RATE_LIMIT, else 5; unlimited in --sandbox).")
    var rateLimit: Double?

    @Option(
        help:
            "Where each stored bar is published: inprocess; redis (REDIS_HOST, REDIS_PORT, REDIS_PASSWORD); or PostgreSQL LISTEN/NOTIFY as postgres://user@host:port/db (password from DB_PASSWORD), for other processes such as gui --bus with the same value; or log (JSON lines on standard error, which the gui's monitor relays)."
    )
    var bus = "inprocess"

    @Option(help: "Seconds between progress lines.")
    var progressInterval: Double = 1

    @Option(help: "Log lines as 'plain' text or 'json' objects (one per line).")
    var logFormat: String = "plain"

    @Flag(help: "Debug logging.")
    var debug = false

    var symbols: [String] { Symbol.parseList(tickers ?? "") }

    func validate() throws {
        guard all != (tickers != nil) else { throw ValidationError("give either --tickers T1,T2 or --all") }
        try BusChoice.validate(bus, localName: "inprocess")
        if !all {
            guard !symbols.isEmpty else { throw ValidationError("--tickers names no ticker") }
            for symbol in symbols {
                if let problem = Symbol.problem(with: symbol) { throw ValidationError("--tickers: \(problem)") }
            }
        }
        guard ["plain", "json"].contains(logFormat) else { throw ValidationError("--log-format is plain or json") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds") }
        guard sandboxSpeed > 0, sandboxSpeed.isFinite else { throw ValidationError("--sandbox-speed must be positive") }
        guard progressInterval > 0 else { throw ValidationError("--progress-interval must be positive") }
        if let sandboxStart, SandboxFeed.Configuration.replayStartMs(newYorkTime: sandboxStart) == nil {
            throw ValidationError(
                "--sandbox-start '\(sandboxStart)' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM (03:00–23:59)")
        }
    }

    func run() async throws {
        let code = await LiveRun(command: self).run()
        if code != 0 { throw ExitCode(code) }
    }

    /// The topics to subscribe.
    var topics: [FeedTopic] {
        all ? [.all(.minuteBars)] : symbols.map { FeedTopic(.minuteBars, $0) }
    }

    /// The sandbox replay's start: `--sandbox-start`, else 09:30 of the last session before today.
    func replayStartMs(today: LocalDate) -> Int64? {
        if let sandboxStart { return SandboxFeed.Configuration.replayStartMs(newYorkTime: sandboxStart) }
        guard let session = TradingCalendar().previousSession(before: today) else { return nil }
        return EasternTime.utcMilliseconds(on: session.date, minutesAfterMidnight: 570)
    }
}
