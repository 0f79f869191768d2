import BackfillCore

/// Tickers, ticker details, ticker events, ticker types and exchanges from the synthetic universe.
struct ReferenceEndpoints: Sendable {
    let market: SyntheticMarket

    /// `/v3/reference/tickers`: filters `ticker` (with range suffixes), `type`, `market`, `exchange`,
    /// `cik`, `search`, `active` (default true), `date` (point in time); sorted by ticker.
    func tickers(_ request: ListRequest, nowMs: Int64) -> Result<[UInt8], SandboxRequestError> {
        let limit: Int
        switch request.limit(default: 100, maximum: 1_000) {
        case .success(let value): limit = value
        case .failure(let error): return .failure(error)
        }
        if let market = request["market"], market != "stocks" { return .success(list([TickerJSON](), request, limit)) }
        let date = request["date"].flatMap { LocalDate($0) } ?? EasternTime.date(containing: nowMs)
        let active = request["active"].map { $0 != "false" } ?? true
        let rows = rowsFor(date: date, active: active).filter { row in
            request.passesRange("ticker", row.ticker) && (request["type"].map { $0 == row.type } ?? true)
                && (request["exchange"].map { $0 == row.primary_exchange } ?? true)
                && (request["cik"].map { $0 == row.cik } ?? true)
                && (request["search"].map {
                    row.ticker.lowercased().contains($0.lowercased()) || row.name.lowercased().contains($0.lowercased())
                } ?? true)
        }
        let sorted = request["order"] == "desc" ? rows.reversed() : rows
        return .success(list(Array(sorted), request, limit))
    }

    /// Active tickers on `date`, or (inactive) the last names of securities delisted by then.
    private func rowsFor(date: LocalDate, active: Bool) -> [TickerJSON] {
        if active {
            return market.universe.listings(on: date).map { row(ticker: $0.ticker, $0.security, asOf: date) }
        }
        return market.universe.securities.compactMap { security -> TickerJSON? in
            guard let last = security.delistDate, last < date else { return nil }
            return row(ticker: security.currentTicker, security, asOf: date)
        }.sorted { $0.ticker < $1.ticker }
    }

    func row(ticker: String, _ security: SyntheticSecurity, asOf date: LocalDate) -> TickerJSON {
        let delisted = security.delistDate.flatMap { $0 < date ? $0 : nil }
        return TickerJSON(
            ticker: ticker, name: security.name, primary_exchange: security.exchange, type: security.type,
            active: delisted == nil, cik: security.cik, composite_figi: security.compositeFIGI,
            share_class_figi: security.shareClassFIGI, last_updated_utc: "\(date)T00:00:00Z",
            delisted_utc: delisted.map { "\($0.adding(days: 1))T00:00:00Z" })
    }

    /// `/v3/reference/tickers/{ticker}?date=`: the security trading as `ticker` on the date (or now).
    func details(_ ticker: String, _ request: ListRequest, nowMs: Int64) -> Result<[UInt8], SandboxRequestError> {
        let date = request["date"].flatMap { LocalDate($0) } ?? EasternTime.date(containing: nowMs)
        guard
            let security = market.universe.security(ticker: ticker, on: date)
                ?? (request["date"] == nil ? market.universe.latestSecurity(ticker: ticker) : nil)
        else { return .failure(.notFound("Ticker not found.")) }
        var json = row(ticker: ticker, security, asOf: date)
        json.list_date = security.listDate.description
        json.description = "\(security.name) is a synthetic company of the Backfill sandbox."
        json.share_class_shares_outstanding = security.sharesOutstanding
        json.market_cap = security.sharesOutstanding * 50
        json.round_lot = 100
        return .success(SandboxJSON.encode(SingleEnvelope(results: json, requestID: "details")))
    }

    /// `/vX/reference/tickers/{id}/events`: `id` is a ticker (its current holder) or a composite FIGI.
    func events(_ id: String) -> Result<[UInt8], SandboxRequestError> {
        let security =
            market.universe.securities.first { $0.compositeFIGI == id }
            ?? market.universe.latestSecurity(ticker: id)
        guard let security else { return .failure(.notFound("Ticker not found.")) }
        let events = security.names.reversed().map {
            TickerEventsJSON.Event(ticker_change: .init(ticker: $0.ticker), date: $0.first.description)
        }
        let body = TickerEventsJSON(
            name: security.name, composite_figi: security.compositeFIGI, cik: security.cik, events: events)
        return .success(SandboxJSON.encode(SingleEnvelope(results: body, requestID: "events")))
    }

    func types() -> [UInt8] {
        let codes = [
            ("CS", "Common Stock"), ("PFD", "Preferred Stock"), ("WARRANT", "Warrant"), ("RIGHT", "Rights"),
            ("BOND", "Corporate Bond"), ("ETF", "Exchange Traded Fund"), ("ETN", "Exchange Traded Note"),
            ("ETV", "Exchange Traded Vehicle"), ("SP", "Structured Product"),
            ("ADRC", "American Depository Receipt Common"),
            ("ADRP", "American Depository Receipt Preferred"), ("ADRW", "American Depository Receipt Warrants"),
            ("ADRR", "American Depository Receipt Rights"), ("FUND", "Fund"), ("BASKET", "Basket"), ("UNIT", "Unit"),
            ("LT", "Liquidating Trust"), ("OS", "Ordinary Shares"), ("GDR", "Global Depository Receipts"),
            ("OTHER", "Other Security Type"), ("NYRS", "New York Registry Shares"), ("AGEN", "Agency Bond"),
            ("EQLK", "Equity Linked Bond"),
        ].map { TickerTypeJSON(code: $0.0, description: $0.1) }
        return SandboxJSON.encode(ListEnvelope(results: codes, requestID: "types", count: codes.count))
    }

    func exchanges() -> [UInt8] {
        let rows = [
            ExchangeJSON(
                id: 1, type: "exchange", name: "NYSE American, LLC", acronym: "AMEX", mic: "XASE",
                operating_mic: "XNYS", participant_id: "A"),
            ExchangeJSON(
                id: 2, type: "exchange", name: "Nasdaq OMX BX, Inc.", mic: "XBOS", operating_mic: "XNAS",
                participant_id: "B"),
            ExchangeJSON(
                id: 4, type: "TRF", name: "FINRA Alternative Display Facility", mic: "XADF", operating_mic: "FINR",
                participant_id: "D"),
            ExchangeJSON(
                id: 10, type: "exchange", name: "New York Stock Exchange", acronym: "NYSE", mic: "XNYS",
                operating_mic: "XNYS", participant_id: "N"),
            ExchangeJSON(
                id: 11, type: "exchange", name: "NYSE Arca, Inc.", acronym: "ARCA", mic: "ARCX", operating_mic: "XNYS",
                participant_id: "P"),
            ExchangeJSON(
                id: 12, type: "exchange", name: "Nasdaq", acronym: "NASDAQ", mic: "XNAS", operating_mic: "XNAS",
                participant_id: "T"),
            ExchangeJSON(
                id: 19, type: "exchange", name: "Cboe BZX", acronym: "BZX", mic: "BATS", operating_mic: "XCBO",
                participant_id: "Z"),
        ]
        return SandboxJSON.encode(ListEnvelope(results: rows, requestID: "exchanges", count: rows.count))
    }

    private func list<T: Encodable>(_ rows: [T], _ request: ListRequest, _ limit: Int) -> [UInt8] {
        let (page, next) = request.page(rows, limit: limit)
        return SandboxJSON.encode(
            ListEnvelope(results: Array(page), requestID: "list", count: page.count, nextURL: next))
    }
}
