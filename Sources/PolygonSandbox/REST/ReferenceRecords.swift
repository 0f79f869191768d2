/// The JSON shapes the sandbox writes for reference endpoints, field for field as Polygon's spec.
struct TickerJSON: Encodable {
    var ticker: String
    var name: String
    var market = "stocks"
    var locale = "us"
    var primary_exchange: String
    var type: String
    var active: Bool
    var currency_name = "usd"
    var cik: String
    var composite_figi: String
    var share_class_figi: String
    var last_updated_utc: String
    var delisted_utc: String?
    // Ticker details only.
    var list_date: String?
    var market_cap: Double?
    var description: String?
    var share_class_shares_outstanding: Double?
    var round_lot: Int?
}

struct TickerEventsJSON: Encodable {
    struct Event: Encodable {
        struct Change: Encodable { var ticker: String }
        var ticker_change: Change
        var type = "ticker_change"
        var date: String
    }

    var name: String
    var composite_figi: String
    var cik: String
    var events: [Event]
}

struct TickerTypeJSON: Encodable {
    var code: String
    var description: String
    var asset_class = "stocks"
    var locale = "us"
}

struct ExchangeJSON: Encodable {
    var id: Int
    var type: String
    var asset_class = "stocks"
    var locale = "us"
    var name: String
    var acronym: String?
    var mic: String?
    var operating_mic: String
    var participant_id: String?
    var url: String?
}

struct SplitJSON: Encodable {
    var id: String?
    var ticker: String
    var execution_date: String
    var split_from: Double
    var split_to: Double
    var adjustment_type: String?
    var historical_adjustment_factor: Double?
}

struct DividendJSON: Encodable {
    var id: String
    var ticker: String
    var cash_amount: Double
    var split_adjusted_cash_amount: Double?
    var currency = "USD"
    var declaration_date: String
    var ex_dividend_date: String
    var record_date: String
    var pay_date: String
    var frequency = 4
    var dividend_type: String?
    var distribution_type: String?
    var historical_adjustment_factor: Double?
}

struct NewsJSON: Encodable {
    struct Publisher: Encodable {
        var name: String
        var homepage_url: String
        var logo_url: String
        var favicon_url: String
    }

    struct Insight: Encodable {
        var ticker: String
        var sentiment: String
        var sentiment_reasoning: String
    }

    var id: String
    var publisher: Publisher
    var title: String
    var author: String
    var published_utc: String
    var article_url: String
    var tickers: [String]
    var description: String
    var keywords: [String]
    var insights: [Insight]
}

struct MarketStatusJSON: Encodable {
    var market: String
    var earlyHours: Bool
    var afterHours: Bool
    var serverTime: String
    var exchanges: [String: String]
    var currencies = ["fx": "open", "crypto": "open"]
}

struct HolidayJSON: Encodable {
    var exchange: String
    var name: String
    var date: String
    var status: String
    var open: String?
    var close: String?
}
