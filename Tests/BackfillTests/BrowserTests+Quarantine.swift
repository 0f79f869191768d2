import Foundation
import Testing

extension BrowserTests {
    /// A day file with two bad rows: the monitor lists them with file, line, reason and the row as
    /// read, and the run that met them in the runs table.
    @Test func theMonitorListsQuarantinedRowsWithTheirReasons() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let (root, key) = try FlatFileTestSupport.minuteFileWithTwoBadRows(in: folder)
        let path = folder.appendingPathComponent("quarantine.sqlite").path
        let run = try await ScraperCLITests.run(
            [
                "--flatfiles-dir", root.path, "--tickers", "AMD", "--from", "2024-03-12", "--to", "2024-03-12",
                "--phases", "minute", "--db", path,
            ], in: folder)
        #expect(run.status == 0, "\(run.all)")

        try await Self.withMonitor(database: path) { page in
            #expect(try await page.string("document.getElementById('quarantine').textContent") == "2 quarantined rows")
            #expect(try await page.string("String(document.getElementById('quarantined').hidden)") == "false")
            let rows = try await page.string(
                "JSON.stringify([...document.querySelectorAll('#quarantined tbody tr')]"
                    + ".map((tr) => [...tr.cells].map((td) => td.textContent)))")
            let cells = try #require(try JSONSerialization.jsonObject(with: Data(rows.utf8)) as? [[String]])
            let byLine = Dictionary(cells.map { ($0[1], $0) }, uniquingKeysWith: { first, _ in first })
            #expect(cells.count == 2 && cells.allSatisfy { $0.count == 4 && $0[0].hasSuffix(key) }, "\(cells)")
            #expect(byLine["3"]?[2].contains("column 2 is not a number") == true, "\(cells)")
            #expect(byLine["3"]?[3].hasPrefix("AMD,oops,10") == true, "\(cells)")
            #expect(byLine["4"]?[2].contains("highBelowOpenOrClose") == true, "\(cells)")
            let runRow = try await page.string("document.querySelector('#runs tbody tr').textContent")
            #expect(runRow.contains("AMD") && runRow.contains("completed"), "\(runRow)")
        }
    }
}
