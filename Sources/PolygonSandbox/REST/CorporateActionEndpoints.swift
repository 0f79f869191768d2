import BackfillCore

/// Splits and dividends, in the deprecated v3 shape and the newer `/stocks/v1` shape with
/// `historical_adjustment_factor`.
struct CorporateActionEndpoints: Sendable {
    let market: SyntheticMarket

    func splits(_ request: ListRequest, modern: Bool, nowMs: Int64) -> Result<[UInt8], SandboxRequestError> {
        let limit: Int
        switch request.limit(default: modern ? 100 : 10, maximum: modern ? 5_000 : 1_000) {
        case .success(let value): limit = value
        case .failure(let error): return .failure(error)
        }
        let today = EasternTime.date(containing: nowMs)
        var rows: [SplitJSON] = []
        for security in candidates(request) {
            let factors = market.splitFactors(of: security)
            for (split, factor) in zip(security.splits, factors) where split.date <= today.adding(days: 30) {
                guard let ticker = security.ticker(on: split.date) else { continue }
                let row = SplitJSON(
                    id: modern ? "E\(security.compositeFIGI)\(split.date)" : nil, ticker: ticker,
                    execution_date: split.date.description, split_from: split.from, split_to: split.to,
                    adjustment_type: modern ? (split.from > split.to ? "reverse_split" : "forward_split") : nil,
                    historical_adjustment_factor: modern ? (factor * 1e6).rounded() / 1e6 : nil)
                if request.passesRange("ticker", ticker), request.passesRange("execution_date", row.execution_date) {
                    rows.append(row)
                }
            }
        }
        rows.sort { ($0.execution_date, $0.ticker) > ($1.execution_date, $1.ticker) }  // newest first, as Polygon
        if request["order"] == "asc" || request["sort"] == "execution_date.asc" { rows.reverse() }
        return .success(page(rows, request, limit))
    }

    func dividends(_ request: ListRequest, modern: Bool, nowMs: Int64) -> Result<[UInt8], SandboxRequestError> {
        let limit: Int
        switch request.limit(default: modern ? 100 : 10, maximum: modern ? 5_000 : 1_000) {
        case .success(let value): limit = value
        case .failure(let error): return .failure(error)
        }
        guard request["ticker"] != nil || request["ex_dividend_date.gte"] != nil || request["ex_dividend_date"] != nil
        else {
            return .failure(.badRequest("the sandbox needs ticker or an ex_dividend_date filter for dividends"))
        }
        let today = EasternTime.date(containing: nowMs)
        var rows: [DividendJSON] = []
        for security in candidates(request) {
            let dividends = market.dividends(of: security).filter { $0.declarationDate <= today }
            for (dividend, factor) in zip(dividends, market.dividendFactors(dividends)) {
                let row = dividendRow(dividend, security, factor: factor, modern: modern, today: today)
                if request.passesRange("ticker", row.ticker),
                    request.passesRange("ex_dividend_date", row.ex_dividend_date)
                {
                    rows.append(row)
                }
            }
        }
        rows.sort { ($0.ex_dividend_date, $0.ticker) > ($1.ex_dividend_date, $1.ticker) }
        if request["order"] == "asc" || request["sort"] == "ex_dividend_date.asc" { rows.reverse() }
        return .success(page(rows, request, limit))
    }

    private func dividendRow(
        _ dividend: SyntheticDividend, _ security: SyntheticSecurity, factor: Double, modern: Bool, today: LocalDate
    ) -> DividendJSON {
        let toToday = security.splitMultiplier(through: dividend.exDate) / security.splitMultiplier(through: today)
        return DividendJSON(
            id: "E\(security.compositeFIGI)\(dividend.exDate)", ticker: dividend.ticker, cash_amount: dividend.amount,
            split_adjusted_cash_amount: modern ? (dividend.amount * toToday * 1e6).rounded() / 1e6 : nil,
            declaration_date: dividend.declarationDate.description, ex_dividend_date: dividend.exDate.description,
            record_date: dividend.recordDate.description, pay_date: dividend.payDate.description,
            dividend_type: modern ? nil : "CD", distribution_type: modern ? "recurring" : nil,
            historical_adjustment_factor: modern ? (factor * 1e6).rounded() / 1e6 : nil)
    }

    /// Securities that ever used the requested ticker, or all of them.
    private func candidates(_ request: ListRequest) -> [SyntheticSecurity] {
        if let ticker = request["ticker"] { return market.universe.securities(everNamed: ticker) }
        if let list = request["ticker.any_of"] {
            return list.split(separator: ",").flatMap { market.universe.securities(everNamed: String($0)) }
        }
        return market.universe.securities
    }

    private func page<T: Encodable>(_ rows: [T], _ request: ListRequest, _ limit: Int) -> [UInt8] {
        let (items, next) = request.page(rows, limit: limit)
        return SandboxJSON.encode(
            ListEnvelope(results: Array(items), requestID: "actions", count: items.count, nextURL: next))
    }
}
