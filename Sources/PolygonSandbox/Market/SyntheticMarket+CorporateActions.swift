import BackfillCore

/// A cash dividend of the synthetic world, with the close it is measured against.
public struct SyntheticDividend: Sendable, Equatable {
    public var ticker: String
    public var exDate: LocalDate
    /// As declared, in dollars per share of the day (not split-adjusted).
    public var amount: Double
    /// Regular-session close of the session before the ex-date.
    public var previousClose: Double
    public var declarationDate: LocalDate
    public var recordDate: LocalDate
    public var payDate: LocalDate
}

extension SyntheticMarket {
    /// The dividends of `security`, oldest first: 0.4% of the previous close, rounded to cents.
    public func dividends(of security: SyntheticSecurity) -> [SyntheticDividend] {
        var wanted: [LocalDate: LocalDate] = [:]  // previous session → ex-date
        for exDate in security.dividendDates {
            if let previous = calendar.previousSession(before: exDate)?.date, previous >= security.listDate {
                wanted[previous] = exDate
            }
        }
        guard let first = wanted.keys.min(), let last = wanted.keys.max(), let range = DayRange(first, last) else {
            return []
        }
        var result: [SyntheticDividend] = []
        forEachSession(of: security, in: range) { session, anchor in
            guard let exDate = wanted[session.date], let ticker = security.ticker(on: exDate),
                let close = dailyBar(
                    from: minuteBars(of: security, session: session, anchor: anchor), session: session)?.close
            else { return }
            let amount = max(0.01, (close * 0.004 * 100).rounded() / 100)
            result.append(
                SyntheticDividend(
                    ticker: ticker, exDate: exDate, amount: amount, previousClose: close,
                    declarationDate: exDate.adding(days: -21), recordDate: exDate.adding(days: 1),
                    payDate: exDate.adding(days: 14)))
        }
        return result
    }

    /// Polygon's `historical_adjustment_factor` of each split: the product of `from / to` over this
    /// split and every later one — multiply a raw price from before the split by it.
    public func splitFactors(of security: SyntheticSecurity) -> [Double] {
        var factors = Array(repeating: 1.0, count: security.splits.count)
        var running = 1.0
        for index in security.splits.indices.reversed() {
            running *= security.splits[index].from / security.splits[index].to
            factors[index] = running
        }
        return factors
    }

    /// Polygon's `historical_adjustment_factor` of each dividend: the product of
    /// `1 − amount / previous close` over this dividend and every later one.
    public func dividendFactors(_ dividends: [SyntheticDividend]) -> [Double] {
        var factors = Array(repeating: 1.0, count: dividends.count)
        var running = 1.0
        for index in dividends.indices.reversed() {
            running *= 1 - dividends[index].amount / dividends[index].previousClose
            factors[index] = running
        }
        return factors
    }
}
