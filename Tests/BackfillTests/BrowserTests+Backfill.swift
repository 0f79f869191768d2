import Foundation
import Storage
import Testing

extension BrowserTests {
    /// The user's story with nothing else running: an empty warehouse, a chart of AMD open, a
    /// backfill started from the gui; the chart fills in by itself (the child's stored chunks come
    /// over the gui's in-process bus and the socket; the page reads the chart again), no reload.
    @Test func aChartFillsInWhileABackfillTheGuiStartedStoresItsBars() async throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("empty.sqlite").path
        _ = try SQLiteBarStore(path: path)  // an empty warehouse with its schema
        let gui = try await GUIServerProcess.start(database: path)
        defer { gui.stop() }
        let chromium = try await Chromium.launch()
        defer { chromium.stop() }
        try await chromium.withPage { page in
            try await page.navigate("\(gui.baseURL)/?symbol=AMD&timeframe=1d")
            try await page.waitUntil(
                "document.getElementById('chart-root').dataset.ready === '1'"
                    + " && document.getElementById('chart-root').dataset.live === 'live'")
            #expect(try await Self.dataset(page, "bars") == "0", "nothing stored yet")
            _ = try await page.evaluate("window.sameDocument = true")
            let started = try await page.string(
                """
                fetch('/api/backfill', {method: 'POST', headers: {'Content-Type': 'application/json'},
                  body: JSON.stringify({tickers: 'AMD', years: 1, sandbox: true, news: false})}).then((r) => r.status)
                """)
            #expect(started == "200")
            try await page.waitUntil(
                "Number(document.getElementById('chart-root').dataset.refreshes) > 0"
                    + " && Number(document.getElementById('chart-root').dataset.bars) > 200",
                seconds: 120, describe: "JSON.stringify(document.getElementById('chart-root').dataset)")
            #expect(try await page.string("String(window.sameDocument === true)") == "true", "filled without a reload")
        }
    }
}
