import BackfillCore
import Hummingbird
import Storage

extension WebApp {
    /// `GET /api/tickers?q=AP&limit=20`: tickers by symbol prefix or name, every name a security
    /// has had (renamed ones point at the current ticker; delisted ones carry their last day).
    func tickers(_ request: Request) async throws -> Response {
        let query = APIQuery(request)
        let text = query["q"] ?? ""
        guard text.count <= 64, text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw APIError("q must be at most 64 printable characters")
        }
        let limit = try query.integer("limit", default: 20, in: 1...200)
        let matches = try await store.searchTickers(text, limit: limit)
        var json = JSONText()
        json.array { json in
            for match in matches {
                json.object { json in
                    json.field("ticker", match.ticker)
                    json.field("currentTicker", match.currentTicker)
                    json.field("name", match.name)
                    json.field("type", match.type)
                    json.field("exchange", match.primaryExchange)
                    json.field("active", match.active)
                    json.field("renamed", match.renamed)
                    json.field("delisted", match.delistedOn != nil || !match.active)
                    json.field("delistedOn", match.delistedOn)
                    json.field("firstDay", match.firstDay)
                    json.field("lastDay", match.lastDay)
                }
            }
        }
        return Self.jsonResponse(json)
    }

    /// `GET /api/actions?symbol=AAPL`: the security's splits and cash dividends, oldest first.
    func actions(_ request: Request) async throws -> Response {
        let symbol = try APIQuery(request).symbol()
        let (splits, dividends) = try await store.corporateActions(symbol: symbol)
        var json = JSONText()
        json.object { json in
            json.field("symbol", symbol)
            json.key("splits")
            json.array { json in
                for split in splits {
                    json.object { json in
                        json.field("date", split.executionDate.description)
                        json.field("t", EasternTime.utcMilliseconds(on: split.executionDate, minutesAfterMidnight: 0))
                        json.field("from", split.splitFrom)
                        json.field("to", split.splitTo)
                    }
                }
            }
            json.key("dividends")
            json.array { json in
                for dividend in dividends {
                    json.object { json in
                        json.field("date", dividend.exDividendDate.description)
                        json.field(
                            "t", EasternTime.utcMilliseconds(on: dividend.exDividendDate, minutesAfterMidnight: 0))
                        json.field("cash", dividend.cashAmount)
                    }
                }
            }
        }
        return Self.jsonResponse(json)
    }

    /// `GET /api/news?symbol=AAPL&from=…&to=…&limit=50`: articles about the security, newest first.
    func news(_ request: Request) async throws -> Response {
        let query = APIQuery(request)
        let symbol = try query.symbol()
        let (from, to) = try query.interval()
        let limit = try query.integer("limit", default: 50, in: 1...500)
        let articles = try await store.news(symbol: symbol, fromMs: from ?? .min, toMs: to ?? .max, limit: limit)
        var json = JSONText()
        json.array { json in
            for article in articles {
                json.object { json in
                    json.field("id", article.id)
                    json.field("t", article.publishedMs)
                    json.field("publisher", article.publisher)
                    json.field("title", article.title)
                    json.field("author", article.author)
                    json.field("url", article.articleURL)
                    json.field("description", article.description)
                    json.key("tickers")
                    json.array { json in for mention in article.mentions { json.string(mention.ticker) } }
                }
            }
        }
        return Self.jsonResponse(json)
    }
}
