import Foundation
import Testing

extension BrowserTests {
    static let highlight: (UInt8, UInt8, UInt8) = (0xF9, 0xA8, 0x25)

    /// A headline older than the bars on screen: clicking it scrolls its bar into view and draws the
    /// marker line there (DOM state and the line's colour in the screenshot at that column).
    @Test func clickingAHeadlineMarksItsTimeOnTheChart() async throws {
        let gui = try await GUIServerProcess.start(database: try await GUITestData.path())
        defer { gui.stop() }
        let chromium = try await Chromium.launch()
        defer { chromium.stop() }
        try await chromium.withPage { page in
            try await page.navigate("\(gui.baseURL)/?symbol=AAPL&timeframe=15m&from=2024-12-02&to=2025-02-28")
            try await page.waitUntil("document.getElementById('chart-root').dataset.ready === '1'")
            let rect = try await Self.canvasRect(page)
            let before = try PNGImage(data: try await page.screenshot())
            #expect(before.count(Self.highlight, in: rect, tolerance: 3) == 0, "no marker before a click")

            // The oldest headline published before the first bar on screen.
            let chosen = try await page.string(
                """
                (() => {
                  const chart = window.backfillChart;
                  const first = chart.data.t[Number(document.getElementById('chart-root').dataset.firstVisible)];
                  const older = [...document.querySelectorAll('#news li')].filter((li) => Number(li.dataset.t) < first);
                  return older.length ? older[older.length - 1].dataset.t : '';
                })()
                """)
            let published = try #require(Int64(chosen), "a headline older than the visible bars")
            let barIndex =
                Int(
                    try await page.string(
                        "window.backfillChart.data.t.filter((t) => t <= \(published)).length - 1")) ?? -1
            #expect(barIndex >= 0)
            _ = try await page.evaluate(
                "document.querySelector('#news li[data-t=\"\(published)\"] a').click()")
            try await page.waitUntil(
                "document.getElementById('chart-root').dataset.highlight === '\(published)'"
                    + " && document.getElementById('chart-root').dataset.highlightX !== ''")
            let index = Int(try await Self.dataset(page, "highlightIndex")) ?? -2
            let firstVisible = Int(try await Self.dataset(page, "firstVisible")) ?? -1
            let lastVisible = Int(try await Self.dataset(page, "lastVisible")) ?? -1
            #expect(index == barIndex, "the bar containing the headline's time")
            #expect(firstVisible <= index && index <= lastVisible, "\(index) in view \(firstVisible)…\(lastVisible)")

            let x = try #require(Int(try await Self.dataset(page, "highlightX")))
            let png = try await page.screenshot()
            try Self.keep(png, as: "gui-news-marker.png")
            let after = try PNGImage(data: png)
            let column = (x: rect.x + x - 2, y: rect.y, width: 5, height: rect.height)
            let marked = after.count(Self.highlight, in: column, tolerance: 3)
            let elsewhere = after.count(Self.highlight, in: rect, tolerance: 3) - marked
            #expect(marked > rect.height / 3, "\(marked) marker pixels at x=\(x)")
            #expect(elsewhere == 0, "\(elsewhere) marker pixels away from the marked bar")
        }
    }
}
