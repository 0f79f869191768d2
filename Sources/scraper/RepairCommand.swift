import ArgumentParser
import BackfillCore
import Foundation
import Ingestion
import Storage

/// `scraper repair`: fetches again only the sessions the completeness ledger lists as missing or
/// partial, inside each ticker's stored span (a repair fills holes; it does not extend history).
struct RepairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract:
            "Fetch again only the sessions that 'scraper gaps' lists as missing or partial (their daily bars too).",
        discussion: """
            Takes the backfill's options (source, --db, --tickers, --from/--to, --dry-run, …). Without --tickers it repairs
            every ticker with minute bars. Only sessions inside a ticker's stored span are repaired: to extend history,
            run a backfill with a wider --from.
            """)

    @OptionGroup var options: BackfillOptions

    func validate() throws {
        try StoreChoice.requireSQLite(options.db, command: "repair")
        guard FileManager.default.fileExists(atPath: options.db) else {
            throw ValidationError("no database at '\(options.db)': nothing to repair")
        }
        guard !options.all else { throw ValidationError("repair takes --tickers or none (every stored ticker)") }
        if options.tickers != nil { try options.check() }
    }

    func run() async throws {
        let store = try SQLiteBarStore(path: options.db)
        let today = EasternTime.date(containing: Int64(Date().timeIntervalSince1970 * 1_000))
        let range = try options.range(today: today)
        var symbols = options.symbols
        if options.tickers == nil { symbols = try await store.ledgerSymbols() }
        var holes: [String: [DayRange]] = [:]
        for symbol in symbols {
            guard let span = try await store.ledgerSpan(symbol: symbol), let window = span.intersection(range) else {
                continue
            }
            let listings = try await CompletenessReport.listings(store: store, symbols: [symbol])
            let report = try await CompletenessReport.make(
                store: store, symbols: [symbol], range: window, listings: listings)
            let ranges = report.repairRanges(before: today).map(\.range)
            if !ranges.isEmpty { holes[symbol] = ranges }
        }
        guard let first = holes.values.joined().map(\.first).min(),
            let last = holes.values.joined().map(\.last).max()
        else {
            print("Nothing to repair: every stored session of \(symbols.count) tickers in \(range) is complete.")
            return
        }
        let sessions = TradingCalendar()
        let count = holes.values.joined().reduce(0) { $0 + sessions.sessions(in: $1).count }
        print("Repairing \(count) sessions of \(holes.count) tickers:")
        for (symbol, ranges) in holes.sorted(by: { $0.key < $1.key }).prefix(20) {
            print("  \(symbol) \(ranges.map(\.description).joined(separator: ", "))")
        }
        var backfill = options
        backfill.tickers = holes.keys.sorted().joined(separator: ",")
        backfill.from = first.description
        backfill.to = last.description
        backfill.phases = "\(BackfillPhase.daily),\(BackfillPhase.minute)"
        let code = await BackfillCommand(options: backfill, onlyRanges: holes).run()
        if code != 0 { throw ExitCode(code) }
    }
}
