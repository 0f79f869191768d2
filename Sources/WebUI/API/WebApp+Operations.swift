import BackfillCore
import Foundation
import Hummingbird
import Storage

extension WebApp {
    /// The most sessions one ledger request covers (about ten years of weekdays).
    static let maxLedgerDays = 3_660

    /// `GET /api/ledger`: the symbols with minute bars; `GET /api/ledger?symbol=AAPL&from=…&to=…`:
    /// one entry per weekday (default: the symbol's stored span, at most ``maxLedgerDays``).
    func ledger(_ request: Request) async throws -> Response {
        let query = APIQuery(request)
        guard query["symbol"] != nil else {
            var json = JSONText()
            let symbols = try await store.ledgerSymbols()
            json.object { json in
                json.key("symbols")
                json.array { json in for symbol in symbols { json.string(symbol) } }
            }
            return Self.jsonResponse(json)
        }
        let symbol = try query.symbol()
        let (range, entries) = try await ledgerEntries(query, symbol: symbol)
        return Self.jsonResponse(ledgerJSON(symbol, range, entries))
    }

    /// The ledger of `symbol` over the query's `from`/`to` (default: its stored span, at most
    /// ``maxLedgerDays``); no range when nothing is stored.
    func ledgerEntries(_ query: APIQuery, symbol: String) async throws -> (DayRange?, [LedgerEntry]) {
        let span = try await store.ledgerSpan(symbol: symbol)
        guard let last = try query.date("to") ?? span?.last else { return (nil, []) }
        let first = try query.date("from") ?? max(span?.first ?? last, last.adding(days: -Self.maxLedgerDays + 1))
        guard let range = DayRange(first, last) else { throw APIError("from \(first) is after to \(last)") }
        guard range.last.daysSinceEpoch - range.first.daysSinceEpoch < Self.maxLedgerDays else {
            throw APIError("the ledger range \(range) is longer than \(Self.maxLedgerDays) days; narrow from/to")
        }
        let identity = try await store.security(ticker: symbol)?.identity
        let listing = identity.flatMap { identity in
            DayRange(
                identity.listDate ?? TradingCalendar.supportedRange.first,
                identity.delistDate ?? TradingCalendar.supportedRange.last)
        }
        return (range, try await store.ledger(symbol: symbol, range: range, listing: listing))
    }

    private func ledgerJSON(_ symbol: String, _ range: DayRange?, _ entries: [LedgerEntry]) -> JSONText {
        var json = JSONText(capacity: entries.count * 96 + 128)
        json.object { json in
            json.field("symbol", symbol)
            json.field("from", range?.first.description)
            json.field("to", range?.last.description)
            json.key("sessions")
            json.array { json in for entry in entries { Self.write(entry, into: &json) } }
        }
        return json
    }

    /// `GET /api/tasks`: backfill tasks by kind and state, and the latest quarantined rows.
    func tasks(_ request: Request) async throws -> Response {
        let limit = try APIQuery(request).integer("quarantined", default: 20, in: 0...500)
        let summary = try await store.taskSummary()
        let (total, rows) = try await store.quarantinedRows(limit: limit)
        var json = JSONText()
        json.object { json in
            json.key("states")
            json.array { json in
                for state in summary {
                    json.object { json in
                        json.field("kind", state.kind)
                        json.field("state", state.state.rawValue)
                        json.field("count", state.count)
                        json.field("rows", state.rows)
                        json.field("quarantined", state.quarantined)
                        json.field("bytes", state.bytes)
                        json.key("errors")
                        json.array { json in for error in state.errors { json.string(error) } }
                    }
                }
            }
            json.field("quarantinedTotal", total)
            json.key("quarantined")
            json.array { json in
                for row in rows {
                    json.object { json in
                        json.field("source", row.source)
                        json.field("line", row.line)
                        json.field("reason", row.reason)
                        json.field("raw", row.raw)
                    }
                }
            }
        }
        return Self.jsonResponse(json)
    }

    /// `GET /api/runs?limit=20`: the latest `scraper` runs, newest first.
    func runs(_ request: Request) async throws -> Response {
        let limit = try APIQuery(request).integer("limit", default: 20, in: 1...500)
        let runs = try await store.recentRuns(limit: limit)
        let data = try JSONEncoder().encode(runs)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
