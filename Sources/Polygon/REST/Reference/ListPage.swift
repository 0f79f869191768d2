/// The envelope of Polygon's list endpoints: `results`, `status`, `request_id`, `count`, `next_url`.
public struct ListPage<Item: Decodable & Sendable>: Decodable, Sendable {
    public var results: [Item]
    public var status: String?
    public var requestID: String?
    public var count: Int?
    public var nextURL: String?

    enum CodingKeys: String, CodingKey {
        case results, status, count
        case requestID = "request_id"
        case nextURL = "next_url"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        results = try container.decodeIfPresent([Item].self, forKey: .results) ?? []
        status = try container.decodeIfPresent(String.self, forKey: .status)
        requestID = try container.decodeLenientString(forKey: .requestID)
        count = try container.decodeIfPresent(Int.self, forKey: .count)
        nextURL = try container.decodeIfPresent(String.self, forKey: .nextURL)
    }
}

/// The envelope of single-object endpoints (`/v3/reference/tickers/{T}`, ticker events).
public struct SingleResult<Item: Decodable & Sendable>: Decodable, Sendable {
    public var results: Item
    public var status: String?
    public var requestID: String?

    enum CodingKeys: String, CodingKey {
        case results, status
        case requestID = "request_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        results = try container.decode(Item.self, forKey: .results)
        status = try container.decodeIfPresent(String.self, forKey: .status)
        requestID = try container.decodeLenientString(forKey: .requestID)
    }
}

/// An identifier Polygon sends as a number on one endpoint and a string on another (`id` of
/// `/v3/reference/exchanges` vs `/stocks/v1/exchanges`).
public struct FlexibleID: Decodable, Sendable, Hashable, CustomStringConvertible {
    public var value: String

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            value = text
        } else {
            value = String(try container.decode(Int64.self))
        }
    }

    public var description: String { value }
}
