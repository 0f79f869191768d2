import BackfillCore
import Foundation
import Polygon
import PolygonSandbox
import Testing

/// The gzip + CSV decoder on the recorded samples and on hostile input.
@Suite("Flat-file decoder")
struct FlatFileDecoderTests {
    let decoder = FlatFileDecoder()
    static let samples = TestSupport.fixtures.appendingPathComponent("flatfiles/us_stocks_sip")

    @Test func dayAggregatesSampleIn2026Format() throws {
        let path = Self.samples.appendingPathComponent("day_aggs_v1/2026-05-22.sample.csv").path
        let (rows, summary) = try decoder.decodeAggregates(file: path)
        #expect(summary.quarantinedCount == 0 && summary.lines == 2)
        let bar = Bar(
            windowStartMs: 1_779_422_400_000, open: 115.03, high: 116.36, low: 113.675, close: 114.96,
            volume: 2_036_584.149027, transactions: 34_455)
        #expect(rows == [FlatFileRow(ticker: "A", bar: bar, line: 2)])
        #expect(EasternTime.utcMilliseconds(on: LocalDate("2026-05-22")!, minutesAfterMidnight: 0) == bar.windowStartMs)
    }

    @Test func minuteAggregatesSamplesInBothFormats() throws {
        let old = try decoder.decodeAggregates(
            file: Self.samples.appendingPathComponent("minute_aggs_v1/2025-04-16.sample.csv").path)
        #expect(old.rows.map(\.ticker) == ["AAPL", "AAPL"])
        #expect(
            old.rows[0].bar
                == Bar(
                    windowStartMs: 1_744_792_500_000, open: 200.29, high: 200.63, low: 200.29, close: 200.5,
                    volume: 4_930,
                    transactions: 129))
        #expect(old.rows[1].bar.windowStartMs == 1_744_792_560_000)
        let new = try decoder.decodeAggregates(
            file: Self.samples.appendingPathComponent("minute_aggs_v1/2026-05-22.sample.csv").path)
        #expect(new.rows.count == 1 && new.rows[0].bar.volume == 28_038.875816 && new.rows[0].bar.transactions == 125)
    }

    @Test(arguments: ["trades_v1/2024-04-05", "trades_v1/2026-05-22", "quotes_v1/2026-05-22"])
    func tradesAndQuotesSamplesDecodeAsRecords(sample: String) throws {
        let path = Self.samples.appendingPathComponent("\(sample).sample.csv").path
        var header: [String] = []
        var rows: [[String]] = []
        let summary = try decoder.decodeRecords(file: path) { _, fields, isHeader in
            if isHeader { header = fields } else { rows.append(fields) }
        }
        #expect(summary.quarantinedCount == 0 && !rows.isEmpty)
        #expect(rows.allSatisfy { $0.count == header.count }, "quoted commas stay inside one field")
        let conditions = try #require(header.firstIndex(of: "conditions"))
        #expect(rows[0][conditions].contains(","), "\"12,37\" / \"1,81\" is one field")
        #expect(throws: PolygonError.self) { try decoder.decodeAggregates(file: path) }
    }

    @Test func trickyTickersStayDistinctStrings() throws {
        let tickers = ["NA", "NAN", "nan", "N/A", "NULL", "TRUE", "FALSE", "TpC", "TPC", "BRK.B", "0"]
        let text =
            FlatFileTestData.header + "\n"
            + tickers.map { "\($0),1.500000,2,3,4,1,1710509760000000000,7" }.joined(separator: "\n")
        let (rows, summary) = try decoder.decodeAggregates(file: FlatFileTestData.write(text))
        #expect(summary.quarantinedCount == 0)
        #expect(rows.map(\.ticker) == tickers)
        #expect(Set(rows.map(\.ticker)).count == tickers.count)
        #expect(rows.allSatisfy { $0.bar.volume == 1.5 && $0.bar.windowStartMs == 1_710_509_760_000 })
    }

    @Test func malformedRowsAreQuarantinedWithLineNumbersAndTheRestContinues() throws {
        let text = """
            \(FlatFileTestData.header)
            A,100,1,2,3,0.5,1710509760000000000,3
            B,abc,1,2,3,0.5,1710509760000000000,3
            C,100,1,2,3,0.5
            D,100,1,2,3,0.5,1710509760000000000,3,extra
            ,100,1,2,3,0.5,1710509760000000000,3
            E,100,1,2,3,0.5,17105097600000000001234,3
            F,100,1.2.3,2,3,0.5,1710509760000000000,3
            G,100,1,2,3,0.5,1710509760000000000,

            H,1e3,1,2,3,0.5,1710509760000000000,4
            """
        let path = try FlatFileTestData.write(text)
        let (rows, summary) = try decoder.decodeAggregates(file: path, name: "us_stocks_sip/x.csv.gz")
        #expect(rows.map(\.ticker) == ["A", "G", "H"])
        #expect(rows[1].bar.transactions == nil && rows[2].bar.volume == 1_000)
        #expect(summary.quarantined.map(\.line) == [3, 4, 5, 6, 7, 8])
        #expect(summary.quarantinedCount == 6 && summary.rows == 3 && summary.lines == 11)
        #expect(summary.quarantined.allSatisfy { $0.file == "us_stocks_sip/x.csv.gz" })
        #expect(summary.quarantined[0].description.hasPrefix("us_stocks_sip/x.csv.gz:3: column 2 is not a number"))
        #expect(summary.quarantined[1].reason.contains("6 fields, expected 8"))
    }

    @Test(arguments: [FlatFileDecoder.Engine.isal, .zlib])
    func truncatedGzipIsAnErrorForTheFile(engine: FlatFileDecoder.Engine) throws {
        let decoder = FlatFileDecoder(configuration: .init(engine: engine))
        let whole = try GzipCompressor.compress(Array(FlatFileTestData.minuteFile(tickers: 50, minutes: 400).utf8))
        for cut in [whole.count - 1, whole.count - 8, whole.count / 2, 20] {
            let path = try FlatFileTestData.write(bytes: Array(whole.prefix(cut)))
            let error = #expect(throws: PolygonError.self) {
                try decoder.decodeAggregates(file: path, name: "k.csv.gz")
            }
            #expect(error?.code == .corruptFile)
            #expect(error?.message.contains("k.csv.gz") == true)
        }
    }

    @Test(arguments: [FlatFileDecoder.Engine.isal, .zlib])
    func corruptGzipIsAnError(engine: FlatFileDecoder.Engine) throws {
        let decoder = FlatFileDecoder(configuration: .init(engine: engine))
        var bytes = try GzipCompressor.compress(Array(FlatFileTestData.minuteFile(tickers: 3, minutes: 100).utf8))
        bytes[bytes.count - 6] ^= 0xFF  // the CRC-32 in the trailer
        let error = #expect(throws: PolygonError.self) {
            try decoder.decodeAggregates(file: FlatFileTestData.write(bytes: bytes))
        }
        #expect(error?.code == .corruptFile && error?.message.contains("corrupt") == true)
    }

    @Test func chunkBoundariesMultipleMembersAndLineEndingsDoNotChangeTheRows() throws {
        let text = FlatFileTestData.minuteFile(tickers: 40, minutes: 390)
        let reference = try decoder.decodeAggregates(file: FlatFileTestData.write(text, gzip: false, name: "d.csv"))
        #expect(reference.rows.count == 40 * 390 && reference.summary.quarantinedCount == 0)
        let small = FlatFileDecoder(configuration: .init(chunkSize: 4_096, queueDepth: 1))
        #expect(try small.decodeAggregates(file: FlatFileTestData.write(text)).rows == reference.rows)
        let zlib = FlatFileDecoder(configuration: .init(engine: .zlib, chunkSize: 4_096, queueDepth: 1))
        #expect(try zlib.decodeAggregates(file: FlatFileTestData.write(text)).rows == reference.rows)
        let half = text.utf8.count / 2
        let members =
            try GzipCompressor.compress(Array(text.utf8.prefix(half)))
            + GzipCompressor.compress(Array(text.utf8.dropFirst(half)))
        #expect(try small.decodeAggregates(file: FlatFileTestData.write(bytes: members)).rows == reference.rows)
        #expect(try zlib.decodeAggregates(file: FlatFileTestData.write(bytes: members)).rows == reference.rows)
        let crlf = text.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try decoder.decodeAggregates(file: FlatFileTestData.write(crlf)).rows == reference.rows)
    }

    @Test func stoppingEarlyFromTheBodyRethrowsAndFinishes() throws {
        struct Stop: Error {}
        let path = try FlatFileTestData.write(FlatFileTestData.minuteFile(tickers: 200, minutes: 390))
        let small = FlatFileDecoder(configuration: .init(chunkSize: 4_096, queueDepth: 1))
        #expect(throws: Stop.self) { _ = try small.decodeAggregates(file: path) { _ in throw Stop() } }
    }

    @Test func missingEmptyAndForeignFilesAreClearErrors() throws {
        let missing = #expect(throws: PolygonError.self) { try decoder.decodeAggregates(file: "/nonexistent/x.csv.gz") }
        #expect(missing?.code == .fileSystem && missing?.message.contains("/nonexistent/x.csv.gz") == true)
        let empty = #expect(throws: PolygonError.self) {
            try decoder.decodeAggregates(file: FlatFileTestData.write(""))
        }
        #expect(empty?.message.contains("empty") == true)
        let foreign = #expect(throws: PolygonError.self) {
            try decoder.decodeAggregates(file: FlatFileTestData.write("a,b,c\n1,2,3\n"))
        }
        #expect(foreign?.message.contains("not a minute/day aggregates header") == true)
    }

    @Test func numbersMatchSwiftsOwnParsing() throws {
        var rng = SplitMix64(seed: 3)
        var lines = [FlatFileTestData.header]
        var expected: [Double] = []
        for _ in 0..<5_000 {
            let digits = Int(rng.next() % 12) + 1
            let scale = Int(rng.next() % 9)
            let raw = String(rng.next() % UInt64(pow(10, Double(digits))))
            let padded = String(repeating: "0", count: max(0, scale + 1 - raw.count)) + raw
            let text = scale == 0 ? padded : "\(padded.dropLast(scale)).\(padded.suffix(scale))"
            expected.append(Double(text)!)
            lines.append("X,\(text),\(text),1,1,1,0,1")
        }
        let rows = try decoder.decodeAggregates(file: FlatFileTestData.write(lines.joined(separator: "\n"))).rows
        #expect(rows.map(\.bar.volume) == expected)
        #expect(rows.map(\.bar.open) == expected)
    }
}
