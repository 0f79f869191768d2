import ArgumentParser
import BackfillCore
import Foundation
import Ingestion
import PostgresStore
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
        _ = try StoreChoice.existing(db: options.db, hint: ": nothing to repair")
        guard !options.all else { throw ValidationError("repair takes --tickers or none (every stored ticker)") }
        if options.tickers != nil { try options.check() }
    }

    @Option(
        help: ArgumentHelp(
            "A session missing for at least this many tickers is repaired from its day file.",
            discussion: "Only when flat files are available (--flatfiles, --flatfiles-dir, or S3 keys); REST otherwise."
        ))
    var dayFileThreshold = 20

    func run() async throws {
        try await StoreChoice.existing(db: options.db).withOpenStore { store in try await repair(store) }
    }

    /// Finds the holes in `store`; the backfills that fill them open the same database themselves.
    private func repair(_ store: any WarehouseStore) async throws {
        let today = EasternTime.date(containing: Int64(Date().timeIntervalSince1970 * 1_000))
        let range = try options.range(today: today)
        var symbols = options.symbols
        if options.tickers == nil { symbols = try await store.ledgerSymbols() }
        var holes = try await Self.holes(store: store, symbols: symbols, range: range, today: today)
        guard !holes.isEmpty else {
            print("Nothing to repair: every stored session of \(symbols.count) tickers in \(range) is complete.")
            return
        }
        let sessions = TradingCalendar()
        let count = holes.values.joined().reduce(0) { $0 + sessions.sessions(in: $1).count }
        print("Repairing \(count) sessions of \(holes.count) tickers:")
        for (symbol, ranges) in holes.sorted(by: { $0.key < $1.key }).prefix(20) {
            print("  \(symbol) \(ranges.map(\.description).joined(separator: ", "))")
        }
        let fileHoles = try Self.dayFileHoles(holes, threshold: dayFileThreshold, options: options, calendar: sessions)
        if !fileHoles.isEmpty {
            let days = Set(fileHoles.values.joined().map(\.first))
            print("From day files: \(days.count) sessions missing for \(dayFileThreshold) or more tickers")
            let code = await BackfillCommand(
                options: Self.backfill(options, holes: fileHoles), onlyRanges: fileHoles, repairFromDayFiles: true
            ).run()
            if code != 0 { throw ExitCode(code) }
            // REST for what the files did not fill (all of it but those days, in a dry run).
            holes =
                options.dryRun
                ? holes.compactMapValues { ranges in
                    let rest = ranges.flatMap { Self.days($0, calendar: sessions) }.filter { !days.contains($0.first) }
                    return rest.isEmpty ? nil : rest
                }
                : try await Self.holes(store: store, symbols: Array(holes.keys), range: range, today: today)
            guard !holes.isEmpty else { return }
        }
        let code = await BackfillCommand(options: Self.backfill(options, holes: holes), onlyRanges: holes).run()
        if code != 0 { throw ExitCode(code) }
    }

    /// Per ticker, the missing or partial sessions inside its stored span (and `range`), before today.
    static func holes(store: any LedgerStore & ReferenceStore, symbols: [String], range: DayRange, today: LocalDate)
        async throws
        -> [String: [DayRange]]
    {
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
        return holes
    }

    /// The holes on sessions missing for at least `threshold` tickers, one-day ranges per ticker;
    /// empty when no flat files are available.
    static func dayFileHoles(
        _ holes: [String: [DayRange]], threshold: Int, options: BackfillOptions, calendar: TradingCalendar
    ) throws -> [String: [DayRange]] {
        guard try FlatFileChoice.resolve(options, settings: SettingsSource.load()) != nil else { return [:] }
        var tickersByDay: [LocalDate: Int] = [:]
        for ranges in holes.values {
            for day in Set(ranges.flatMap { days($0, calendar: calendar) }.map(\.first)) {
                tickersByDay[day, default: 0] += 1
            }
        }
        let wide = Set(tickersByDay.filter { $0.value >= threshold }.keys)
        return holes.compactMapValues { ranges in
            let picked = ranges.flatMap { days($0, calendar: calendar) }.filter { wide.contains($0.first) }
            return picked.isEmpty ? nil : picked
        }
    }

    /// The sessions of a range, each as a one-day range.
    static func days(_ range: DayRange, calendar: TradingCalendar) -> [DayRange] {
        calendar.sessions(in: range).compactMap { DayRange($0.date, $0.date) }
    }

    /// The backfill options that fetch exactly `holes`: their tickers, their span, bars only.
    static func backfill(_ options: BackfillOptions, holes: [String: [DayRange]]) -> BackfillOptions {
        var backfill = options
        backfill.tickers = holes.keys.sorted().joined(separator: ",")
        backfill.from = holes.values.joined().map(\.first).min()?.description
        backfill.to = holes.values.joined().map(\.last).max()?.description
        backfill.phases = "\(BackfillPhase.daily),\(BackfillPhase.minute)"
        return backfill
    }
}
