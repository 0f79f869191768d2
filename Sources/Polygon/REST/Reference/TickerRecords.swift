import BackfillCore

/// One row of `/v3/reference/tickers`, and the identity part of ticker details.
public struct TickerRecord: Decodable, Sendable, Equatable {
    public var ticker: String
    public var name: String?
    public var market: String?
    public var locale: String?
    public var primaryExchange: String?
    public var type: String?
    public var active: Bool?
    public var currencyName: String?
    public var cik: String?
    public var compositeFIGI: String?
    public var shareClassFIGI: String?
    public var lastUpdatedUTC: String?
    public var delistedUTC: String?
    /// Ticker details only: the company's first listing date.
    public var listDate: String?
    public var marketCap: Double?
    public var description: String?

    enum CodingKeys: String, CodingKey {
        case ticker, name, market, locale, type, active, cik, description
        case primaryExchange = "primary_exchange"
        case currencyName = "currency_name"
        case compositeFIGI = "composite_figi"
        case shareClassFIGI = "share_class_figi"
        case lastUpdatedUTC = "last_updated_utc"
        case delistedUTC = "delisted_utc"
        case listDate = "list_date"
        case marketCap = "market_cap"
    }

    /// The core model.
    public var model: Ticker {
        Ticker(
            symbol: ticker, name: name, market: market, type: type, primaryExchange: primaryExchange,
            active: active ?? true, compositeFIGI: compositeFIGI, cik: cik,
            listDate: listDate.flatMap { LocalDate($0) },
            delistedMs: delistedUTC.flatMap(ISOTime.milliseconds))
    }
}

/// `/vX/reference/tickers/{id}/events`: the names one security has traded under.
public struct TickerEvents: Decodable, Sendable, Equatable {
    public struct Event: Decodable, Sendable, Equatable {
        public struct Change: Decodable, Sendable, Equatable {
            public var ticker: String
        }

        public var type: String
        public var date: String
        public var tickerChange: Change?

        enum CodingKeys: String, CodingKey {
            case type, date
            case tickerChange = "ticker_change"
        }
    }

    public var name: String?
    public var compositeFIGI: String?
    public var cik: String?
    /// Newest first, as Polygon sends them.
    public var events: [Event]

    enum CodingKeys: String, CodingKey {
        case name, cik, events
        case compositeFIGI = "composite_figi"
    }
}

/// `/v3/reference/tickers/types`.
public struct TickerType: Decodable, Sendable, Equatable {
    public var code: String
    public var description: String
    public var assetClass: String?
    public var locale: String?

    enum CodingKeys: String, CodingKey {
        case code, description, locale
        case assetClass = "asset_class"
    }
}

/// RFC 3339 instants as Polygon writes them (`2022-04-27T00:00:00Z`, `2022-04-28T16:48:08-04:00`).
public enum ISOTime {
    /// Milliseconds since the epoch, or nil when the text is not an instant.
    public static func milliseconds(_ text: String) -> Int64? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 20, let date = LocalDate(String(decoding: utf8[0..<10], as: UTF8.self)),
            utf8[10] == UInt8(ascii: "T"), let h = number(utf8, 11, 2), let m = number(utf8, 14, 2),
            let s = number(utf8, 17, 2)
        else { return nil }
        var index = 19
        var millis = 0
        if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 100
            while index < utf8.count, let digit = number(utf8, index, 1) {
                millis += digit * scale
                scale /= 10
                index += 1
            }
        }
        guard index < utf8.count else { return nil }
        var offset = 0
        if utf8[index] != UInt8(ascii: "Z") {
            guard utf8.count == index + 6, let oh = number(utf8, index + 1, 2), let om = number(utf8, index + 4, 2)
            else { return nil }
            offset = (oh * 60 + om) * (utf8[index] == UInt8(ascii: "-") ? -1 : 1)
        }
        let seconds = Int64(date.daysSinceEpoch) * 86_400 + Int64(h * 3_600 + m * 60 + s) - Int64(offset * 60)
        return seconds * 1_000 + Int64(millis)
    }

    private static func number(_ bytes: [UInt8], _ start: Int, _ length: Int) -> Int? {
        guard start + length <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[start..<(start + length)] {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }
}
