import BackfillCore
import Foundation
import Ingestion
import MessageBus
import RedisBus
import Storage
import Testing

/// The page in a real browser: the built `gui` on a sandbox-filled warehouse, headless Chromium
/// over the DevTools protocol, DOM state and screenshot pixels checked. Set BACKFILL_SCREENSHOTS
/// to a folder (e.g. docs) to keep the screenshots.
@Suite("gui in headless Chromium", .serialized)
struct BrowserTests {
    static let up: (UInt8, UInt8, UInt8) = (0x26, 0xA6, 0x9A)
    static let down: (UInt8, UInt8, UInt8) = (0xEF, 0x53, 0x50)

    static func keep(_ png: Data, as name: String) throws {
        guard let folder = ProcessInfo.processInfo.environment["BACKFILL_SCREENSHOTS"], !folder.isEmpty else { return }
        let directory = URL(fileURLWithPath: folder, relativeTo: TestSupport.repositoryRoot)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try png.write(to: directory.appendingPathComponent(name))
    }

    /// The chart canvas's rectangle in CSS pixels (= screenshot pixels at scale 1).
    static func canvasRect(_ page: DevToolsPage) async throws -> (x: Int, y: Int, width: Int, height: Int) {
        let text = try await page.string(
            "(() => { const r = document.getElementById('chart').getBoundingClientRect();"
                + " return [r.x, r.y, r.width, r.height].map(Math.round).join(','); })()")
        let parts = text.split(separator: ",").compactMap { Int($0) }
        guard parts.count == 4 else { throw GUITestFailure(message: "canvas rect '\(text)'") }
        return (parts[0], parts[1], parts[2], parts[3])
    }

    static func dataset(_ page: DevToolsPage, _ key: String) async throws -> String {
        try await page.string("document.getElementById('chart-root').dataset.\(key)")
    }

    @Test func chartRendersSwitchesTimeframeAndShowsALiveBar() async throws {
        let database = try await GUITestData.path()
        let redis = try await RedisServer.started()
        defer { redis.stop() }
        let gui = try await GUIServerProcess.start(
            database: database, arguments: ["--bus", "redis"],
            environment: ["REDIS_HOST": "127.0.0.1", "REDIS_PORT": String(redis.port)])
        defer { gui.stop() }
        let chromium = try await Chromium.launch()
        defer { chromium.stop() }
        let store = try await GUITestData.store()
        let days = try await store.bars(symbol: "AAPL", timeframe: .day, fromMs: .min, toMs: .max, limit: 10_000)
        let configuration = redis.configuration
        try await chromium.withPage { page in
            try await page.navigate("\(gui.baseURL)/?symbol=AAPL&timeframe=1d")
            try await page.waitUntil("document.getElementById('chart-root').dataset.ready === '1'")
            let (bars, candles) = (try await Self.dataset(page, "bars"), try await Self.dataset(page, "candles"))
            #expect(bars == String(days.count) && candles == String(days.count))
            let (panes, timeframe) = (try await Self.dataset(page, "panes"), try await Self.dataset(page, "timeframe"))
            #expect(panes == "price,rsi,macd" && timeframe == "1d")
            #expect(try await Self.dataset(page, "extended") == "0")
            let news = Int(try await Self.dataset(page, "news")) ?? 0
            let headlines = try await page.evaluate("document.querySelectorAll('#news li').length") as? Int ?? 0
            #expect(news > 0 && headlines == news)
            try await Self.checkCandlePixels(page, keepAs: "gui-daily.png")

            // Crosshair: the readout shows the bar under the mouse.
            let rect = try await Self.canvasRect(page)
            try await page.mouse("mouseMoved", x: Double(rect.x + rect.width / 2), y: Double(rect.y + rect.height / 3))
            try await page.waitUntil("document.getElementById('readout').textContent.includes(' O ')")
            let readout = try await page.string("document.getElementById('readout').textContent")
            #expect(
                readout.contains(" H ") && readout.contains(" L ") && readout.contains(" C ") && readout.contains(" V ")
            )

            // Keyboard zoom: fewer bars on screen after ArrowUp, more after ArrowDown.
            _ = try await page.evaluate("document.getElementById('chart').focus()")
            let before = Int(try await Self.dataset(page, "visible")) ?? 0
            try await page.key("ArrowUp", code: 38)
            try await page.waitUntil("Number(document.getElementById('chart-root').dataset.visible) < \(before)")

            // Switch timeframe by clicking 15m.
            _ = try await page.evaluate("document.querySelector('#timeframes [data-timeframe=\"15m\"]').click()")
            try await page.waitUntil(
                "document.getElementById('chart-root').dataset.ready === '1'"
                    + " && document.getElementById('chart-root').dataset.timeframe === '15m'")
            let bars15 = Int(try await Self.dataset(page, "bars")) ?? 0
            let candles15 = Int(try await Self.dataset(page, "candles")) ?? 0
            #expect(bars15 > days.count && candles15 > 0)
            // Pre- and post-market bars are shaded on intraday charts (none on daily ones).
            let shaded = Int(try await Self.dataset(page, "extended")) ?? 0
            #expect(shaded > 0 && shaded < candles15, "\(shaded) of \(candles15) columns shaded")
            try await Self.checkCandlePixels(page, keepAs: "gui-15m.png")

            // Split and dividend markers on the time axis of a ticker that split in the range.
            try await page.navigate("\(gui.baseURL)/?symbol=\(GUITestData.splitTicker)&timeframe=1d")
            try await page.waitUntil(
                "document.getElementById('chart-root').dataset.ready === '1'"
                    + " && document.getElementById('chart-root').dataset.symbol === '\(GUITestData.splitTicker)'")
            let splits = Int(try await Self.dataset(page, "splits")) ?? 0
            let markers = Int(try await Self.dataset(page, "markers")) ?? 0
            #expect(splits >= 1 && markers >= 1, "\(splits) splits, \(markers) markers drawn")

            // Panning past the first bar loads the page before it.
            try await page.navigate("\(gui.baseURL)/?symbol=AAPL&timeframe=5m&from=2025-02-03&to=2025-02-28")
            try await page.waitUntil("document.getElementById('chart-root').dataset.ready === '1'")
            let windowBars = Int(try await Self.dataset(page, "bars")) ?? 0
            _ = try await page.evaluate("document.getElementById('chart').focus()")
            try await page.key("Home", code: 36)
            // The older page is drawn in the next animation frame after `older` is set.
            try await page.waitUntil(
                "document.getElementById('chart-root').dataset.older === '1'"
                    + " && Number(document.getElementById('chart-root').dataset.bars) > \(windowBars)")
            let withOlder = Int(try await Self.dataset(page, "bars")) ?? 0
            let firstT = Int64(try await Self.dataset(page, "firstT")) ?? .max
            let february = EasternTime.utcMilliseconds(on: TestSupport.date("2025-02-03"), minutesAfterMidnight: 0)
            #expect(windowBars > 0 && withOlder > windowBars && firstT < february)
            _ = try await page.evaluate("document.querySelector('#timeframes [data-timeframe=\"15m\"]').click()")
            try await page.waitUntil(
                "document.getElementById('chart-root').dataset.ready === '1'"
                    + " && document.getElementById('chart-root').dataset.timeframe === '15m'")

            let beforeLive = Int(try await Self.dataset(page, "bars")) ?? 0

            // Live: a bar stored by another process (published on Redis) reaches the open chart.
            try await page.waitUntil("document.getElementById('chart-root').dataset.live === 'live'")
            let minute = EasternTime.utcMilliseconds(on: TestSupport.date("2025-03-03"), minutesAfterMidnight: 600)
            let bar = Bar(windowStartMs: minute, open: 200, high: 202, low: 199, close: 201, volume: 5_000)
            let message = LiveBarMessage(symbol: "AAPL", bar: bar, indicators: nil, source: .live, revised: false)
            try await withRunningBus(configuration) { bus in
                // Published until the page has a live frame (60 s at most on a loaded machine).
                for _ in 0..<300 {
                    await bus.publish(message.busMessage)
                    if try await page.evaluate("document.getElementById('chart-root').dataset.liveFrames") != nil {
                        break
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            try await page.waitUntil(
                "document.getElementById('chart-root').dataset.lastLiveT === '\(minute)'", seconds: 30)
            // The live minute opens a new 15m candle, or updates the last one when the stored bars
            // already reach into its bucket; either way it is drawn (lastLiveT above).
            let barsAfterLive = Int(try await Self.dataset(page, "bars")) ?? -1
            #expect([beforeLive, beforeLive + 1].contains(barsAfterLive), "\(beforeLive) → \(barsAfterLive)")
        }
    }

    /// Up and down candle colours inside the chart canvas, none in the page header.
    static func checkCandlePixels(_ page: DevToolsPage, keepAs name: String) async throws {
        let png = try await page.screenshot()
        try keep(png, as: name)
        let image = try PNGImage(data: png)
        let rect = try await canvasRect(page)
        #expect(image.width == 1400 && rect.width > 600 && rect.height > 300)
        #expect(image.count(up, in: rect) > 300, "green candles in the chart")
        #expect(image.count(down, in: rect) > 300, "red candles in the chart")
        let header = (x: 0, y: 0, width: image.width, height: max(1, rect.y - 1))
        #expect(image.count(up, in: header, tolerance: 2) + image.count(down, in: header, tolerance: 2) == 0)
    }

    /// 150,000 minute bars in one chart: zoomed out, each pixel column draws an aggregate.
    @Test func levelOfDetailKeepsA150000BarChartToOneCandlePerPixel() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("lod.sqlite").path
        let store = try SQLiteBarStore(path: path)
        var generator = SplitMix64(seed: 7)
        var price = 100.0
        var bars: [Bar] = []
        let calendar = TradingCalendar()
        for hours in calendar.sessions(in: TestSupport.range("2024-01-02", "2025-12-31")) where bars.count < 150_000 {
            for minute in stride(from: hours.preMarketOpenMs, to: hours.postMarketCloseMs, by: 60_000) {
                let move = (Double(generator.next() % 2_001) - 1_000) / 100_000
                let open = price
                price = max(1, price * (1 + move))
                bars.append(
                    Bar(
                        windowStartMs: minute, open: open, high: max(open, price) * 1.001,
                        low: min(open, price) * 0.999,
                        close: price, volume: Double(100 + generator.next() % 10_000)))
            }
        }
        for chunk in stride(from: 0, to: bars.count, by: 50_000) {
            let batch = BarBatch(
                symbol: "LOD", timeframe: .minute, bars: Array(bars[chunk..<min(bars.count, chunk + 50_000)]))
            _ = try await store.write(batch, covering: nil)
        }
        let gui = try await GUIServerProcess.start(database: path)
        defer { gui.stop() }
        let chromium = try await Chromium.launch()
        defer { chromium.stop() }
        let last = try #require(bars.last).windowStartMs
        let url = "\(gui.baseURL)/?symbol=LOD&timeframe=1m&from=\(bars[0].windowStartMs)&to=\(last)"
        try await chromium.withPage { page in
            try await page.navigate(url)
            try await page.waitUntil("document.getElementById('chart-root').dataset.ready === '1'", seconds: 60)
            let loaded = try await Self.dataset(page, "bars")
            let firstChart = try await Self.dataset(page, "loadMs")
            #expect(loaded == "100000", "one page of the 1m API")
            _ = try await page.evaluate("document.getElementById('chart').focus()")
            for _ in 0..<40 { try await page.key("ArrowDown", code: 40) }
            try await page.waitUntil("Number(document.getElementById('chart-root').dataset.visible) > 90000")
            let rect = try await Self.canvasRect(page)
            let candles = Int(try await Self.dataset(page, "candles")) ?? 0
            let stride = Int(try await Self.dataset(page, "stride")) ?? 0
            #expect(stride > 1 && candles > 0 && candles <= rect.width, "\(candles) columns with stride \(stride)")
            // Pan with the keyboard while zoomed out; the frame time is reported (not asserted).
            var frames: [Double] = []
            for _ in 0..<60 {
                try await page.key("ArrowLeft", code: 37)
                try await Task.sleep(for: .milliseconds(50))
                frames.append(Double(try await Self.dataset(page, "frameMs")) ?? 0)
            }
            let visible = try await Self.dataset(page, "visible")
            let sorted = frames.sorted()
            let percentile = { (p: Double) in sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
            print(
                "gui LOD: first chart of \(loaded) bars in \(firstChart) ms (request, JSON, indicators, draw);"
                    + " \(candles) columns for \(visible) bars; frame ms while panning (\(frames.count) frames):"
                    + " p50 \(percentile(0.5)), p95 \(percentile(0.95)), max \(sorted.last ?? 0)")
        }
    }

    /// Opens `/monitor` of a gui on `database` in headless Chromium and runs `body` once the page
    /// has read its tables and heatmap.
    static func withMonitor(
        database: String, _ body: @escaping @Sendable (DevToolsPage) async throws -> Void
    ) async throws {
        let gui = try await GUIServerProcess.start(database: database)
        defer { gui.stop() }
        let chromium = try await Chromium.launch()
        defer { chromium.stop() }
        try await chromium.withPage { page in
            try await page.navigate("\(gui.baseURL)/monitor")
            try await page.waitUntil("document.getElementById('monitor').dataset.ready === '1'")
            try await body(page)
        }
    }

    /// A first run: the gui on a warehouse that does not exist yet makes an empty one, and the chart
    /// page says to start a backfill from the monitor instead of showing a blank chart.
    @Test func anEmptyWarehouseSaysToStartABackfill() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("first.sqlite").path
        let gui = try await GUIServerProcess.start(database: path)
        defer { gui.stop() }
        let chromium = try await Chromium.launch()
        defer { chromium.stop() }
        try await chromium.withPage { page in
            try await page.navigate(gui.baseURL + "/")
            try await page.waitUntil("document.getElementById('chart-root').dataset.stored === '0'")
            let status = try await page.string("document.getElementById('status').textContent")
            #expect(status == "The warehouse is empty: start a backfill from the Monitor", "\(status)")
        }
    }

    @Test func theMonitorShowsTasksRunsAndTheLedgerHeatmap() async throws {
        try await Self.withMonitor(database: try await GUITestData.path()) { page in
            let complete = try await page.evaluate(
                "document.querySelectorAll('#heatmap span[data-status=\"complete\"]').length")
            let holidays = try await page.evaluate(
                "document.querySelectorAll('#heatmap span[data-status=\"holiday\"]').length")
            #expect((complete as? Int ?? 0) >= 3 * 55 && (holidays as? Int ?? 0) >= 3)
            try Self.keep(try await page.screenshot(), as: "gui-monitor.png")
        }
    }

    @Test func theMonitorStartsABackfillAndShowsItsRun() async throws {
        // A first run: no warehouse yet, the gui makes an empty one and the monitor fills it.
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("started.sqlite").path
        try await Self.withMonitor(database: path) { page in
            _ = try await page.evaluate(
                "document.getElementById('bf-tickers').value = 'AMD';"
                    + " document.getElementById('bf-phase-minute').checked = false;"
                    + " document.getElementById('bf-phase-news').checked = false;"
                    + " document.getElementById('bf-start').click()")
            try await page.waitUntil(
                "document.getElementById('monitor').dataset.backfill === 'exited 0'", seconds: 120,
                describe: "document.getElementById('bf-log').textContent")
            try await page.waitUntil("document.querySelectorAll('#runs tbody tr').length === 1")
            let row = try await page.string("document.querySelector('#runs tbody tr').textContent")
            #expect(row.contains("completed") && row.contains("AMD"), "\(row)")
            let samples = Int(try await page.string("document.getElementById('monitor').dataset.samples")) ?? 0
            let figures = try await page.string("document.getElementById('bf-progress').textContent")
            #expect(samples > 0 && figures.contains("bars/s") && figures.contains("429s"), "\(figures)")
            // The latency chart beside the rates: points, and the latest p50/p99 in ms as data attributes.
            let latency = try await page.string(
                "JSON.stringify(Object.assign({hidden: document.getElementById('bf-latency').hidden},"
                    + " document.getElementById('bf-latency').dataset))")
            let chart = try #require(try JSONSerialization.jsonObject(with: Data(latency.utf8)) as? [String: Any])
            let number = { (key: String) in Double(chart[key] as? String ?? "") ?? -1 }
            #expect(chart["hidden"] as? Bool == false && number("points") > 0 && number("points") <= Double(samples))
            #expect(number("requestP50Ms") > 0 && number("requestP99Ms") >= number("requestP50Ms"), "\(latency)")
            #expect(number("storeWriteP50Ms") > 0 && number("storeWriteP99Ms") >= number("storeWriteP50Ms"))
            // Rates since the sample before each point: the run stored 250 daily bars over 5 requests,
            // so the peaks of rows/s and requests/s are at least 1.
            let rates = try await page.string("JSON.stringify(document.getElementById('bf-rates').dataset)")
            let rate = try #require(try JSONSerialization.jsonObject(with: Data(rates.utf8)) as? [String: String])
            let value = { (key: String) in Double(rate[key] ?? "") ?? -1 }
            #expect(
                value("points") == Double(samples) && value("rowsPeak") >= 1 && value("requestsPeak") >= 1, "\(rates)")
            #expect(value("rowsPerSecond") >= 0 && value("requestsPerSecond") >= 0, "\(rates)")
            let readout = try await page.string("document.getElementById('bf-latency-figures').textContent")
            #expect(readout.contains("requests p50") && readout.contains("store writes p50"), "\(readout)")
            try Self.keep(try await page.screenshot(), as: "gui-monitor-run.png")
        }
    }

    @Test func aNonLoopbackAddressNeedsTheToken() async throws {
        let database = try await GUITestData.path()
        let (code, message) = try await GUIServerProcess.runToExit(
            ["--db", database, "--host", "0.0.0.0", "--port", "0"])
        #expect(code != nil && code != 0 && message.contains("requires a token"), "\(message)")

        let token = "browser-token-0123456789"
        let gui = try await GUIServerProcess.start(
            database: database, arguments: ["--host", "0.0.0.0"], environment: ["GUI_TOKEN": token])
        defer { gui.stop() }
        #expect(!gui.printed.contains(token))
        let local = gui.baseURL.replacingOccurrences(of: "0.0.0.0", with: "127.0.0.1")
        let chromium = try await Chromium.launch()
        defer { chromium.stop() }
        try await chromium.withPage { page in
            try await page.navigate("\(local)/?symbol=AAPL")
            try await page.waitUntil("document.body.innerText.includes('requires its token')")
            try await page.navigate("\(local)/?symbol=AAPL&token=\(token)")
            try await page.waitUntil("document.getElementById('chart-root')?.dataset.ready === '1'")
            try await page.waitUntil("document.getElementById('chart-root').dataset.live === 'live'")
        }
    }
}
