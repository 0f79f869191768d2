import BackfillCore

/// The stock datasets the sandbox serves as flat files.
public enum FlatFileDataset: String, Sendable, CaseIterable {
    case dayAggregates = "day_aggs_v1"
    case minuteAggregates = "minute_aggs_v1"
}

/// Writes one day file's CSV from the synthetic market, exactly in Polygon's layout: header
/// `ticker,volume,open,close,high,low,window_start,transactions`, rows sorted by ticker then time,
/// `window_start` in nanoseconds (day rows at 00:00 New York), numbers in the era's format
/// (six decimals from 2026 on, shortest decimals and integer volumes before).
struct DayFileGenerator: Sendable {
    static let header = "ticker,volume,open,close,high,low,window_start,transactions\n"
    static let sixDecimalsFrom = LocalDate(year: 2026, month: 1, day: 1)!

    let market: SyntheticMarket
    let tickers: [String]

    /// The CSV bytes, or nil when `date` is not a session.
    /// - Parameter corruptEvery: when set, every n-th data row is made malformed (fault injection).
    func csv(_ dataset: FlatFileDataset, on date: LocalDate, corruptEvery: Int? = nil) -> [UInt8]? {
        guard market.calendar.isSession(date) else { return nil }
        var out = Array(DayFileGenerator.header.utf8)
        out.reserveCapacity(dataset == .minuteAggregates ? tickers.count * 600 * 64 : tickers.count * 80)
        let six = date >= DayFileGenerator.sixDecimalsFrom
        var row = 0
        for ticker in tickers {
            market.forEachSession(symbol: ticker, in: DayRange(date, date)!) { session, anchor in
                let minutes = market.minuteBars(symbol: ticker, session: session, anchor: anchor)
                let bars =
                    dataset == .minuteAggregates
                    ? minutes : market.dailyBar(from: minutes, session: session).map { [$0] } ?? []
                for bar in bars {
                    row += 1
                    let broken = corruptEvery.map { row % max(1, $0) == 0 } ?? false
                    append(ticker, bar, sixDecimals: six, broken: broken, to: &out)
                }
            }
        }
        return out
    }

    private func append(_ ticker: String, _ bar: Bar, sixDecimals: Bool, broken: Bool, to out: inout [UInt8]) {
        out.append(contentsOf: ticker.utf8)
        out.append(UInt8(ascii: ","))
        if broken {
            out.append(contentsOf: "not-a-volume".utf8)
        } else if sixDecimals {
            appendSixDecimals(bar.volume, to: &out)
        } else {
            out.append(contentsOf: String(Int64(bar.volume.rounded())).utf8)
        }
        for price in [bar.open, bar.close, bar.high, bar.low] {
            out.append(UInt8(ascii: ","))
            if sixDecimals { appendSixDecimals(price, to: &out) } else { appendShortest(price, to: &out) }
        }
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: String(bar.windowStartMs * 1_000_000).utf8)
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: String(bar.transactions ?? 0).utf8)
        out.append(UInt8(ascii: "\n"))
    }

    /// `115.030000`: fixed six decimals, as 2026 files write prices and volumes.
    private func appendSixDecimals(_ value: Double, to out: inout [UInt8]) {
        let micros = Int64((value * 1_000_000).rounded())
        out.append(contentsOf: String(micros / 1_000_000).utf8)
        out.append(UInt8(ascii: "."))
        let fraction = String(micros % 1_000_000)
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: 6 - fraction.utf8.count))
        out.append(contentsOf: fraction.utf8)
    }

    /// `200.5`, `143`: the shortest decimal that reads back as the same Double, without a `.0`.
    private func appendShortest(_ value: Double, to out: inout [UInt8]) {
        let text = value.description
        out.append(contentsOf: text.hasSuffix(".0") ? text.utf8.dropLast(2) : text.utf8[...])
    }
}
