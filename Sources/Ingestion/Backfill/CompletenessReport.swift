import BackfillCore
import Storage

/// The read side of the completeness ledger (`scraper gaps`, `scraper repair`): per symbol and
/// weekday of a range, what the calendar expects, what is stored, where it came from, and the status.
public struct CompletenessReport: Sendable {
    public var entries: [LedgerEntry]

    /// Reads the ledger for `symbols` over `range`; `listings` gives known listing ranges by symbol.
    public static func make(
        store: any LedgerStore, symbols: [String], range: DayRange, listings: [String: DayRange] = [:]
    ) async throws -> CompletenessReport {
        var entries: [LedgerEntry] = []
        for symbol in symbols {
            entries += try await store.ledger(symbol: symbol, range: range, listing: listings[symbol])
        }
        return CompletenessReport(entries: entries)
    }

    /// The listing range of each symbol the reference phase knows (list date to delist date;
    /// open-ended where unknown), for `not listed` sessions.
    public static func listings(store: any ReferenceStore, symbols: [String]) async throws -> [String: DayRange] {
        var result: [String: DayRange] = [:]
        for symbol in symbols {
            guard let identity = try await store.security(ticker: symbol)?.identity,
                identity.listDate != nil || identity.delistDate != nil
            else { continue }
            let first = identity.listDate ?? TradingCalendar.supportedRange.first
            let last = identity.delistDate ?? LocalDate(daysSinceEpoch: Int(Int32.max))
            result[symbol] = DayRange(first, last)
        }
        return result
    }

    /// Sessions per status for one symbol.
    public func counts(for symbol: String) -> [LedgerEntry.Status: Int] {
        entries.filter { $0.symbol == symbol }.reduce(into: [:]) { $0[$1.status, default: 0] += 1 }
    }

    /// Sessions that a repair should fetch again: missing or partial, before `today`, grouped into
    /// runs of consecutive sessions per symbol (see ``LedgerEntry/repairRanges(_:before:)``).
    public func repairRanges(before today: LocalDate) -> [(symbol: String, range: DayRange)] {
        LedgerEntry.repairRanges(entries, before: today)
    }

    /// CSV of every entry: `symbol,session,status,expected,received,regular,gap_minutes,source`.
    public func csv() -> String {
        var lines = ["symbol,session,status,expected,received,regular,gap_minutes,source"]
        for e in entries {
            lines.append(
                "\(e.symbol),\(e.session),\(e.status.rawValue),\(e.expected),\(e.received),\(e.regular),"
                    + "\(e.gapMinutes),\(e.source?.rawValue ?? "")")
        }
        return lines.joined(separator: "\n")
    }
}
