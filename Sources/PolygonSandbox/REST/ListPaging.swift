import BackfillCore
import Foundation

/// A list request's parameters, with a `cursor` (from a previous page's `next_url`) expanded back
/// into the parameters it carries, as Polygon's cursors do.
struct ListRequest {
    var path: String
    var query: [String: String]
    /// `http://host:port` as the client reached us, for `next_url`.
    var baseURL: String

    init(path: String, query: [String: String], baseURL: String) {
        var merged = query
        if let cursor = query["cursor"], let decoded = Cursor.decode(cursor) {
            merged.merge(decoded) { _, fromCursor in fromCursor }
        }
        merged["cursor"] = nil
        merged["apiKey"] = nil
        self.path = path
        self.query = merged
        self.baseURL = baseURL
    }

    subscript(key: String) -> String? { query[key] }

    /// `limit` within `1...maximum`, `fallback` when absent.
    func limit(default fallback: Int, maximum: Int) -> Result<Int, SandboxRequestError> {
        guard let text = query["limit"] else { return .success(fallback) }
        guard let value = Int(text), (1...maximum).contains(value) else {
            return .failure(.badRequest("limit must be between 1 and \(maximum)"))
        }
        return .success(value)
    }

    /// One page of `items` from the cursor's offset, and the `next_url` when more remain.
    func page<T>(_ items: [T], limit: Int) -> (items: ArraySlice<T>, nextURL: String?) {
        let offset = max(0, Int(query["offset"] ?? "0") ?? 0)
        let slice = items.dropFirst(offset).prefix(limit)
        guard offset + limit < items.count else { return (slice, nil) }
        var carried = query.sorted { $0.key < $1.key }.filter { $0.key != "offset" }
        carried.append(("offset", String(offset + limit)))
        return (slice, "\(baseURL)\(path)?cursor=\(Cursor.encode(carried))")
    }

    /// Whether `value` passes the `key`, `key.gt`, `key.gte`, `key.lt`, `key.lte` filters
    /// (string comparison: dates and tickers compare correctly as text).
    func passesRange(_ key: String, _ value: String?) -> Bool {
        let filters: [(String, (String, String) -> Bool)] = [
            ("", ==), (".gt", >), (".gte", >=), (".lt", <), (".lte", <=),
        ]
        for (suffix, compare) in filters {
            guard let bound = query[key + suffix] else { continue }
            guard let value, compare(value, bound) else { return false }
        }
        if let list = query[key + ".any_of"] {
            guard let value, list.split(separator: ",").contains(Substring(value)) else { return false }
        }
        return true
    }
}

/// Polygon's envelope for list answers.
struct ListEnvelope<Item: Encodable>: Encodable {
    var results: [Item]
    var status = "OK"
    var requestID: String
    var count: Int
    var nextURL: String?

    enum CodingKeys: String, CodingKey {
        case results, status, count
        case requestID = "request_id"
        case nextURL = "next_url"
    }
}

/// Polygon's envelope for single objects.
struct SingleEnvelope<Item: Encodable>: Encodable {
    var results: Item
    var status = "OK"
    var requestID: String

    enum CodingKeys: String, CodingKey {
        case results, status
        case requestID = "request_id"
    }
}

enum SandboxJSON {
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(value)) ?? Data(#"{"status":"ERROR","error":"encoding failed"}"#.utf8))
    }

    /// `2024-06-24T18:33:53Z`
    static func iso(_ ms: Int64) -> String {
        let date = LocalDate(utcMilliseconds: ms)
        let seconds = Int((ms - date.utcMidnightMilliseconds) / 1_000)
        return "\(date)T\(two(seconds / 3_600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))Z"
    }

    static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}
