import Testing

@testable import BackfillCore

@Suite("Indicator CSV")
struct IndicatorCSVTests {
    static let defaultHeader =
        "symbol,t,sma20,ema20,rsi14,macd,macd_signal,macd_hist,bb_upper,bb_middle,bb_lower,vwap"

    /// Input rows for two symbols, interleaved and in reverse time order.
    static func input(count: Int = 60) -> (text: String, bars: [String: [Bar]]) {
        let bars = [
            "MSFT": IndicatorPropertyTests.walk(seed: 21, count: count, start: 400),
            "AAPL": IndicatorPropertyTests.walk(seed: 22, count: count, start: 0.01),
        ]
        var lines = ["symbol,t,o,h,l,c,v"]
        for index in (0..<count).reversed() {
            for symbol in ["MSFT", "AAPL"] {
                let bar = bars[symbol]![index]
                let fields = [bar.open, bar.high, bar.low, bar.close, bar.volume].map(IndicatorCSV.formatted)
                lines.append(([symbol, String(bar.windowStartMs)] + fields).joined(separator: ","))
            }
        }
        return (lines.joined(separator: "\r\n") + "\r\n", bars)
    }

    @Test func rendersEveryBarSortedWithExactValues() throws {
        let (text, bars) = Self.input()
        let output = try IndicatorCSV.render(IndicatorCSV.parse(text), configuration: .init())
        let lines = output.split(separator: "\n")
        #expect(lines.first.map(String.init) == Self.defaultHeader)
        #expect(lines.count == 121)
        for (offset, symbol) in ["AAPL", "MSFT"].enumerated() {
            let expected = try IndicatorEngine().values(over: bars[symbol]!)
            for (index, line) in lines[(1 + offset * 60)..<(61 + offset * 60)].enumerated() {
                let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                #expect(cells[0] == symbol[...])
                #expect(Int64(cells[1]) == bars[symbol]![index].windowStartMs)
                let values = try #require(expected[index])
                let flat = IndicatorGoldenTests.flatten(values) + [values.vwap]
                #expect(cells.dropFirst(2).map { $0.isEmpty ? nil : Double($0) } == flat, "\(symbol) \(index)")
            }
        }
    }

    @Test func warmUpCellsAreEmpty() throws {
        let output = try IndicatorCSV.render(IndicatorCSV.parse(Self.input().text), configuration: .init())
        let rows = output.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows[1][0] == "AAPL")
        #expect(rows[1][2..<11].allSatisfy { $0.isEmpty })
        #expect(!rows[1][11].isEmpty)
        #expect(rows[19][2].isEmpty)
        #expect(!rows[20][2].isEmpty)
        #expect(rows[33][5].isEmpty)
        #expect(!rows[34][5].isEmpty)
    }

    @Test func headerFollowsThePeriods() {
        let configuration = IndicatorEngine.Configuration(smaPeriod: 50, emaPeriod: 9, rsiPeriod: 21)
        #expect(
            IndicatorCSV.header(for: configuration)
                == "symbol,t,sma50,ema9,rsi21,macd,macd_signal,macd_hist,bb_upper,bb_middle,bb_lower,vwap")
        #expect(IndicatorCSV.header(for: .init()) == Self.defaultHeader)
    }

    @Test(arguments: [
        (0.1, "0.10000000000000001"), (100, "100"), (1e-5, "1.0000000000000001e-05"), (-2.5, "-2.5"),
        (92.60874193166433, "92.608741931664326"),
    ])
    func formatsSeventeenSignificantDigits(value: Double, text: String) {
        #expect(IndicatorCSV.formatted(value) == text)
        #expect(Double(IndicatorCSV.formatted(value)) == value)
    }

    @Test(arguments: [
        ("", 1, "missing header"),
        ("symbol,t,o,h,l,c\nA,1,1,1,1,1", 1, "header lacks column 'v'"),
        ("symbol,t,o,h,l,c,v\nA,1,1,1,1,1,1\nA,2,1,1,1,1", 3, "expected 7 fields, found 6"),
        ("symbol,t,o,h,l,c,v\n\nA,1,1,1,1,x,1", 3, "column 'c' is not a finite number: 'x'"),
        ("symbol,t,o,h,l,c,v\nA,1,1,1,1,nan,1", 2, "column 'c' is not a finite number"),
        ("symbol,t,o,h,l,c,v\nA,1.5,1,1,1,1,1", 2, "column 't' is not an integer"),
        ("symbol,t,o,h,l,c,v\n,1,1,1,1,1,1", 2, "empty symbol"),
        (
            "symbol,t,o,h,l,c,v\nA,5,1,1,1,1,1\nB,5,1,1,1,1,1\nA,5,2,2,2,2,2", 4,
            "duplicate bar for A at t=5 (first on line 2)"
        ),
    ])
    func malformedInputNamesTheLine(text: String, line: Int, message: String) {
        do {
            _ = try IndicatorCSV.render(IndicatorCSV.parse(text), configuration: .init())
            Issue.record("accepted malformed input")
        } catch let error as IndicatorCSVError {
            #expect(error.line == line)
            #expect(error.message.contains(message), "\(error)")
            #expect(error.description.hasPrefix("line \(line): "))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func columnsMayComeInAnyOrderWithExtrasAndAByteOrderMark() throws {
        let text = "\u{FEFF}t, c ,v,o,h,l,symbol,vw,n\n60000,10,5,10,11,9,X,10.5,3\n0,20,1,20,21,19,X,,1\n"
        let records = try IndicatorCSV.parse(text)
        #expect(records.map(\.line) == [2, 3])
        #expect(
            records[0].bar == Bar(windowStartMs: 60_000, open: 10, high: 11, low: 9, close: 10, volume: 5, vwap: 10.5))
        #expect(records[1].bar.vwap == nil)
        let grouped = try IndicatorCSV.barsBySymbol(records)
        #expect(grouped.map(\.bars.count) == [2])
        #expect(grouped.first?.bars.first?.windowStartMs == 0)
    }

    @Test func flagArgumentsParse() {
        typealias Configuration = IndicatorEngine.Configuration
        #expect(Configuration.MACDPeriods(argument: "5,35,5") == .init(fast: 5, slow: 35, signal: 5))
        #expect(Configuration.MACDPeriods(argument: "5,35") == nil)
        #expect(Configuration.MACDPeriods(argument: "5,35,x") == nil)
        #expect(Configuration.MACDPeriods(argument: "5,,35,5") == nil)
        #expect(Configuration.BollingerParameters(argument: "10,1.5") == .init(period: 10, deviations: 1.5))
        #expect(Configuration.BollingerParameters(argument: "10") == nil)
    }
}
