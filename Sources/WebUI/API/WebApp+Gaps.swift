import BackfillCore
import Foundation
import Hummingbird
import Storage

extension WebApp {
    /// Most runs of missing minutes listed for one session.
    static let maxMinuteGaps = 100

    /// `GET /api/gaps?symbol=AAPL&from=…&to=…&session=…`: what the ledger says is not complete in the
    /// range (missing and partial sessions, and the ranges `scraper repair` would fetch), and for
    /// `session` its counts and the regular-session minutes without a bar, as runs.
    func gaps(_ request: Request) async throws -> Response {
        let query = APIQuery(request)
        let symbol = try query.symbol()
        let session = try query.date("session")
        let (range, entries) = try await ledgerEntries(query, symbol: symbol)
        let today = EasternTime.date(containing: Int64(Date().timeIntervalSince1970 * 1_000))
        let open = entries.filter { $0.status == .missing || $0.status == .partial }
        let repair = LedgerEntry.repairRanges(entries, before: today).map(\.range)
        var detail: (entry: LedgerEntry?, minutes: [(fromMs: Int64, toMs: Int64)])?
        if let session {
            let entry = try await sessionEntry(symbol: symbol, session: session, among: entries)
            detail = (entry, try await missingMinutes(symbol: symbol, session: session))
        }
        var json = JSONText(capacity: open.count * 96 + 512)
        json.object { json in
            json.field("symbol", symbol)
            json.field("from", range?.first.description)
            json.field("to", range?.last.description)
            json.key("sessions")
            json.array { json in for entry in open { Self.write(entry, into: &json) } }
            json.key("repair")
            json.array { json in
                for range in repair {
                    json.object { json in
                        json.field("from", range.first.description)
                        json.field("to", range.last.description)
                        json.field("sessions", calendar.sessions(in: range).count)
                    }
                }
            }
            json.key("session")
            guard let detail else { return json.raw("null") }
            json.object { json in
                json.field("date", session?.description)
                json.key("entry")
                if let entry = detail.entry { Self.write(entry, into: &json) } else { json.raw("null") }
                json.key("missingMinutes")
                json.array { json in
                    for run in detail.minutes.prefix(Self.maxMinuteGaps) {
                        json.object { json in
                            json.field("from", run.fromMs)
                            json.field("to", run.toMs)
                            json.field("minutes", Int((run.toMs - run.fromMs) / 60_000))
                        }
                    }
                }
                json.field("missingMinuteRuns", detail.minutes.count)
            }
        }
        return Self.jsonResponse(json)
    }

    /// One ledger entry as the ledger and gaps endpoints send it.
    static func write(_ entry: LedgerEntry, into json: inout JSONText) {
        json.object { json in
            json.field("date", entry.session.description)
            json.field("status", entry.status.rawValue)
            json.field("expected", entry.expected)
            json.field("received", entry.received)
            json.field("regular", entry.regular)
            json.field("gapMinutes", entry.gapMinutes)
            json.field("source", entry.source?.rawValue)
        }
    }

    /// The ledger entry of one session: from `entries` when the range holds it, else read alone.
    private func sessionEntry(symbol: String, session: LocalDate, among entries: [LedgerEntry]) async throws
        -> LedgerEntry?
    {
        if let entry = entries.first(where: { $0.session == session }) { return entry }
        guard let day = DayRange(session, session) else { return nil }
        return try await store.ledger(symbol: symbol, range: day, listing: nil).first
    }

    /// Regular-session minutes of `session` without a stored bar, as `[from, to)` runs in ms UTC;
    /// empty on a day the exchange was closed.
    private func missingMinutes(symbol: String, session: LocalDate) async throws -> [(fromMs: Int64, toMs: Int64)] {
        guard let hours = calendar.session(on: session) else { return [] }
        let bars = try await store.bars(
            symbol: symbol, timeframe: .minute, fromMs: hours.regularOpenMs, toMs: hours.regularCloseMs - 1,
            limit: 1_000)
        let stored = Set(bars.map(\.windowStartMs))
        var runs: [(fromMs: Int64, toMs: Int64)] = []
        for minute in stride(from: hours.regularOpenMs, to: hours.regularCloseMs, by: 60_000)
        where !stored.contains(minute) {
            if let last = runs.last, last.toMs == minute {
                runs[runs.count - 1].toMs = minute + 60_000
            } else {
                runs.append((minute, minute + 60_000))
            }
        }
        return runs
    }
}
