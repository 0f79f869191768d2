import BackfillCore
import Foundation

/// A parsed `/v2/aggs/ticker/{T}/range/{n}/{span}/{from}/{to}` request.
struct AggregatesQuery: Equatable {
    var ticker: String
    var timeframe: Timeframe
    /// Inclusive bounds in ms UTC.
    var fromMs: Int64
    var toMs: Int64
    /// `to` as the client wrote it, kept verbatim in `next_url` as Polygon does.
    var toText: String
    var adjusted: Bool
    var ascending: Bool
    var limit: Int

    static let defaultLimit = 5_000
    static let maxLimit = 50_000

    /// Parses the path segments and query; returns a sentence for a 400 on failure.
    static func parse(
        ticker: String, multiplier: String, timespan: String, from: String, to: String, query: [String: String]
    ) -> Result<AggregatesQuery, SandboxRequestError> {
        var query = query
        if let cursor = query["cursor"], let decoded = Cursor.decode(cursor) {
            query.merge(decoded) { _, cursorValue in cursorValue }
        }
        guard Symbol.problem(with: ticker) == nil else { return .failure(.badRequest("invalid ticker '\(ticker)'")) }
        guard let n = Int(multiplier), (1...10_000).contains(n) else {
            return .failure(.badRequest("multiplier must be a positive integer, got '\(multiplier)'"))
        }
        guard let unit = Timeframe.Unit(rawValue: timespan) else {
            return .failure(.badRequest("the sandbox serves timespan minute, hour, day or week, got '\(timespan)'"))
        }
        guard let fromMs = bound(from, endOfDay: false), let toMs = bound(to, endOfDay: true) else {
            return .failure(.badRequest("from and to must be YYYY-MM-DD or a millisecond timestamp"))
        }
        let limit = Int(query["limit"] ?? "") ?? defaultLimit
        guard (1...maxLimit).contains(limit) else {
            return .failure(.badRequest("limit must be between 1 and \(maxLimit)"))
        }
        let sort = query["sort"] ?? "asc"
        guard sort == "asc" || sort == "desc" else { return .failure(.badRequest("sort must be asc or desc")) }
        return .success(
            AggregatesQuery(
                ticker: ticker, timeframe: Timeframe(n, unit), fromMs: fromMs, toMs: toMs, toText: to,
                adjusted: (query["adjusted"] ?? "true") != "false", ascending: sort == "asc", limit: limit))
    }

    /// A date means the New York day's start (from) or end (to); digits mean ms.
    private static func bound(_ text: String, endOfDay: Bool) -> Int64? {
        if let date = LocalDate(text) {
            let day = endOfDay ? date.adding(days: 1) : date
            return EasternTime.utcMilliseconds(on: day, minutesAfterMidnight: 0) - (endOfDay ? 1 : 0)
        }
        guard !text.isEmpty, text.allSatisfy(\.isNumber), let ms = Int64(text) else { return nil }
        return ms
    }
}

/// Polygon-style opaque cursors: base64url of the query that continues the listing, never the key.
enum Cursor {
    static func encode(_ items: [(String, String)]) -> String {
        let text = items.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> [String: String]? {
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let query = String(data: data, encoding: .utf8) else { return nil }
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }
}

/// A request the sandbox refuses, with Polygon's status and wording.
enum SandboxRequestError: Error, Equatable {
    case badRequest(String)
    case notFound(String)
}
