import ArgumentParser
import BackfillCore
import Foundation
import PostgresStore
import Storage

/// `scraper export`: stored bars as CSV on stdout — the way out of the warehouse for tools that do
/// not link Backfill (minute bars are packed per day, which SQL alone cannot unpack).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print stored bars as CSV (ticker,t,open,high,low,close,volume,vwap,transactions).",
        discussion: """
            t is the window start in ms UTC. Bars are read like a chart reads them: a renamed ticker includes its
            earlier names' history (META includes FB), and --adjust applies splits (and dividends) on read.
            Reads in pages, so any range streams in bounded memory.
            """)

    @Option(help: "SQLite database file, or postgres://user@host:port/db (password from DB_PASSWORD).")
    var db = StoreChoice.defaultPath

    @Option(help: "Comma-separated tickers (default: every ticker with bars of the timeframe).")
    var tickers: String?

    @Option(help: "1m or 1d (the stored timeframes).")
    var timeframe = "1m"

    @Option(help: "First New York date (YYYY-MM-DD); default: the first stored bar.")
    var from: String?

    @Option(help: "Last New York date (YYYY-MM-DD); default: the last stored bar.")
    var to: String?

    @Option(help: "none (raw, as stored), splits, or all (splits and dividends).")
    var adjust = "none"

    static let pageSize = 100_000

    func validate() throws {
        _ = try StoreChoice.existing(db: db)
        guard let frame = Timeframe(label: timeframe), frame == .minute || frame == .day else {
            throw ValidationError("--timeframe must be 1m or 1d, got '\(timeframe)'")
        }
        if let from, LocalDate(from) == nil { throw ValidationError("--from must be YYYY-MM-DD, got '\(from)'") }
        if let to, LocalDate(to) == nil { throw ValidationError("--to must be YYYY-MM-DD, got '\(to)'") }
        guard BarAdjustment(rawValue: adjust) != nil else {
            throw ValidationError("--adjust must be none, splits or all, got '\(adjust)'")
        }
    }

    func run() async throws {
        try await StoreChoice.existing(db: db).withOpenStore { store in try await export(from: store) }
    }

    private func export(from store: any WarehouseStore) async throws {
        let frame = Timeframe(label: timeframe) ?? .minute
        let adjustment = BarAdjustment(rawValue: adjust) ?? .none
        let fromMs = from.flatMap(LocalDate.init).map { EasternTime.utcMilliseconds(on: $0, minutesAfterMidnight: 0) }
        let toMs = to.flatMap(LocalDate.init).map {
            EasternTime.utcMilliseconds(on: $0.adding(days: 1), minutesAfterMidnight: 0) - 1
        }
        var symbols = tickers.map(Symbol.parseList) ?? []
        if tickers == nil {
            symbols = try await store.inventory().filter { $0.timeframe == timeframe && $0.bars > 0 }.map(\.symbol)
        }
        let output = FileHandle.standardOutput
        output.write(Data("ticker,t,open,high,low,close,volume,vwap,transactions\n".utf8))
        for symbol in symbols {
            var next = fromMs ?? Int64.min / 2
            while true {
                let page = try await store.bars(
                    symbol: symbol, timeframe: frame, fromMs: next, toMs: toMs ?? .max, limit: Self.pageSize,
                    adjustment: adjustment)
                var text = ""
                text.reserveCapacity(page.count * 80)
                for bar in page {
                    text +=
                        "\(symbol),\(bar.windowStartMs),\(bar.open),\(bar.high),\(bar.low),\(bar.close),\(bar.volume),"
                    text += "\(bar.vwap.map { "\($0)" } ?? ""),\(bar.transactions.map { "\($0)" } ?? "")\n"
                }
                output.write(Data(text.utf8))
                guard page.count == Self.pageSize, let last = page.last else { break }
                next = last.windowStartMs + 1
            }
        }
    }
}
