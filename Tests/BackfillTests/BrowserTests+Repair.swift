import Foundation
import Storage
import Testing

extension BrowserTests {
    /// A session knocked out of a sandbox backfill: its heatmap cell shows the gap (the session and
    /// its 390 missing minutes) and a repair button, which runs `scraper repair` as the monitor's
    /// child; when it ends the cell is complete and the gap list is empty.
    @Test func aHeatmapCellShowsItsGapsAndRepairFillsThem() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let path = folder.appendingPathComponent("holed.sqlite").path
        let first = try await ScraperCLITests.run(
            [
                "--sandbox", "--tickers", "AMD", "--from", "2025-01-06", "--to", "2025-01-17", "--skip-news", "--db",
                path,
            ],
            in: folder)
        #expect(first.status == 0, "\(first.all)")
        try RepairCLITests.knockOut(day: "2025-01-08", tickers: ["AMD"], in: path)

        let cell = "document.querySelector('#heatmap span[data-symbol=\"AMD\"][data-date=\"2025-01-08\"]')"
        try await Self.withMonitor(database: path) { page in
            #expect(try await page.string("\(cell).dataset.status") == "missing")
            _ = try await page.evaluate("\(cell).click()")
            try await page.waitUntil("document.getElementById('gaps').dataset.ready === '1'")
            let title = try await page.string("document.querySelector('#gaps h3').textContent")
            #expect(title.contains("AMD 2025-01-08: missing, 0/390 regular minutes"), "\(title)")
            let minutes = try await page.string("document.getElementById('gap-minutes').textContent")
            #expect(minutes == "09:30–16:00 missing (390 min)", "\(minutes)")
            let sessions = try await page.string(
                "[...document.querySelectorAll('#gap-sessions li')].map((li) => li.dataset.date).join(',')")
            #expect(sessions == "2025-01-08")
            let button = try await page.string("document.getElementById('gap-repair').textContent")
            #expect(button == "Repair 1 sessions of AMD (2025-01-08 … 2025-01-08)", "\(button)")
            _ = try await page.evaluate("document.getElementById('gaps').scrollIntoView({block: 'center'})")
            try Self.keep(try await page.screenshot(), as: "gui-monitor-gaps.png")

            _ = try await page.evaluate("document.getElementById('gap-repair').click()")
            try await page.waitUntil(
                "document.getElementById('monitor').dataset.backfill === 'exited 0'", seconds: 120,
                describe: "document.getElementById('bf-log').textContent")
            let command = try await page.string("document.getElementById('bf-status').textContent")
            try await page.waitUntil("\(cell) && \(cell).dataset.status === 'complete'", seconds: 60)
            try await page.waitUntil(
                "document.getElementById('gaps').dataset.openSessions === '0'"
                    + " && !document.getElementById('gap-repair')")
            #expect(command.contains("finished with exit code 0"), "\(command)")
        }
        let store = try SQLiteBarStore(path: path)
        let day = TestSupport.range("2025-01-08", "2025-01-08")
        let entry = try #require(try await store.ledger(symbol: "AMD", range: day, listing: nil).first)
        #expect(entry.status == .complete && entry.regular > 300, "\(entry)")
        let runs = try await store.recentRuns(limit: 1)
        #expect(runs.first?.tickers == ["AMD"] && runs.first?.status == "completed")
    }
}
