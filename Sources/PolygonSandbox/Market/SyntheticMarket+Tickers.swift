import BackfillCore

extension SyntheticMarket {
    /// One ticker's sessions in `range`, whichever security held the name on each date: the spans
    /// of `range` during which `ticker` named each security.
    public func spans(of ticker: String, in range: DayRange) -> [(SyntheticSecurity, DayRange)] {
        universe.securities(everNamed: ticker).flatMap { security in
            security.names.filter { $0.ticker == ticker }.compactMap { name -> (SyntheticSecurity, DayRange)? in
                let last = min(range.last, name.last ?? range.last, security.delistDate ?? range.last)
                return DayRange(max(range.first, name.first, security.listDate), last).map { (security, $0) }
            }
        }.sorted { $0.1.first < $1.1.first }
    }

    /// Calls `body` with every session in `range` during which `ticker` traded, with its raw minute bars.
    public func forEachSession(
        ticker: String, in range: DayRange, _ body: (SyntheticSecurity, SessionHours, [Bar]) -> Void
    ) {
        for (security, span) in spans(of: ticker, in: range) {
            forEachSession(of: security, in: span) { session, anchor in
                body(security, session, minuteBars(of: security, session: session, anchor: anchor))
            }
        }
    }

    /// Every raw minute bar of `symbol` on the New York `date` (empty when it did not trade).
    /// A stable entry point for the sandbox's surfaces (REST, flat files, WebSocket).
    public func minuteBars(symbol: String, date: LocalDate) -> [Bar] {
        guard let range = DayRange(date, date) else { return [] }
        var bars: [Bar] = []
        forEachSession(ticker: symbol, in: range) { _, _, minutes in bars = minutes }
        return bars
    }

    /// The minute bar of `symbol` starting at `minuteStartMs`, if that minute traded.
    public func minuteBar(symbol: String, minuteStartMs: Int64) -> Bar? {
        minuteBars(symbol: symbol, date: EasternTime.date(containing: minuteStartMs))
            .first { $0.windowStartMs == minuteStartMs }
    }

    /// `bar` restated on the share basis in force on `asOf`, as Polygon's `adjusted=true` does for
    /// splits (dividends are never applied to aggregates).
    public func splitAdjusted(_ bar: Bar, of security: SyntheticSecurity, on date: LocalDate, asOf: LocalDate) -> Bar {
        let factor = security.splitMultiplier(through: date) / security.splitMultiplier(through: asOf)
        guard factor != 1 else { return bar }
        var adjusted = bar
        adjusted.open = round4(bar.open * factor)
        adjusted.high = round4(bar.high * factor)
        adjusted.low = round4(bar.low * factor)
        adjusted.close = round4(bar.close * factor)
        adjusted.vwap = bar.vwap.map { round4($0 * factor) }
        adjusted.volume = (bar.volume / factor).rounded()
        return adjusted
    }
}
