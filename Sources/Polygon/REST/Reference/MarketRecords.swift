/// A news article from `/v2/reference/news`.
public struct NewsArticle: Decodable, Sendable, Equatable {
    public struct Publisher: Decodable, Sendable, Equatable {
        public var name: String
        public var homepageURL: String?
        public var logoURL: String?
        public var faviconURL: String?

        enum CodingKeys: String, CodingKey {
            case name
            case homepageURL = "homepage_url"
            case logoURL = "logo_url"
            case faviconURL = "favicon_url"
        }
    }

    public struct Insight: Decodable, Sendable, Equatable {
        public var ticker: String
        public var sentiment: String?
        public var sentimentReasoning: String?

        enum CodingKeys: String, CodingKey {
            case ticker, sentiment
            case sentimentReasoning = "sentiment_reasoning"
        }
    }

    public var id: String
    public var publisher: Publisher
    public var title: String
    public var author: String?
    /// RFC 3339 instant.
    public var publishedUTC: String
    public var articleURL: String
    public var tickers: [String]
    public var ampURL: String?
    public var imageURL: String?
    public var description: String?
    public var keywords: [String]?
    public var insights: [Insight]?

    enum CodingKeys: String, CodingKey {
        case id, publisher, title, author, tickers, description, keywords, insights
        case publishedUTC = "published_utc"
        case articleURL = "article_url"
        case ampURL = "amp_url"
        case imageURL = "image_url"
    }
}

/// `/v1/marketstatus/now`.
public struct MarketStatus: Decodable, Sendable, Equatable {
    /// `open`, `closed` or `extended-hours`.
    public var market: String
    public var earlyHours: Bool?
    public var afterHours: Bool?
    public var serverTime: String?
    public var exchanges: [String: String]?
}

/// One row of `/v1/marketstatus/upcoming` (a bare JSON array).
public struct MarketHoliday: Decodable, Sendable, Equatable {
    public var exchange: String
    public var name: String
    public var date: String
    /// `closed` or `early-close`.
    public var status: String
    /// UTC instants, on early-close rows only.
    public var open: String?
    public var close: String?
}

/// One row of `/v3/reference/exchanges` or `/stocks/v1/exchanges`.
public struct ExchangeRecord: Decodable, Sendable, Equatable {
    public var id: FlexibleID
    public var type: String
    public var assetClass: String?
    public var locale: String?
    public var name: String
    public var acronym: String?
    public var mic: String?
    public var operatingMIC: String?
    public var participantID: String?
    public var url: String?

    enum CodingKeys: String, CodingKey {
        case id, type, locale, name, acronym, mic, url
        case assetClass = "asset_class"
        case operatingMIC = "operating_mic"
        case participantID = "participant_id"
    }
}
