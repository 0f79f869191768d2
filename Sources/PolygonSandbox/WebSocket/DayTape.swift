import BackfillCore

/// One symbol's session as the feed broadcasts it: each minute bar with the day's running
/// volume and VWAP up to it, and the official open, from `SyntheticMarket.minuteBars`.
struct DayTape: Sendable {
    /// A minute as an `AM` event carries it.
    struct Minute: Sendable, Equatable {
        var bar: Bar
        /// Shares traded today through this minute (`av`).
        var accumulatedVolume: Double
        /// Today's VWAP through this minute (`a`).
        var dayVWAP: Double
        /// Today's official open (`op`); nil before 09:30 New York.
        var officialOpen: Double?
        /// Shares traded today before this minute, for the second bars' running totals.
        var volumeBefore: Double
        /// Σ vwap × volume before this minute.
        var notionalBefore: Double
    }

    let symbol: String
    let date: LocalDate
    private(set) var minutes: [Int64: Minute] = [:]

    init(symbol: String, date: LocalDate, bars: [Bar]) {
        self.symbol = symbol
        self.date = date
        let regularOpenMs = EasternTime.utcMilliseconds(on: date, minutesAfterMidnight: 9 * 60 + 30)
        let officialOpen = bars.first { $0.windowStartMs >= regularOpenMs }?.open
        var volume = 0.0, notional = 0.0
        for bar in bars {
            let before = (volume, notional)
            volume += bar.volume
            notional += (bar.vwap ?? bar.close) * bar.volume
            minutes[bar.windowStartMs] = Minute(
                bar: bar, accumulatedVolume: volume, dayVWAP: SecondBars.round4(notional / volume),
                officialOpen: bar.windowStartMs >= regularOpenMs ? officialOpen : nil,
                volumeBefore: before.0, notionalBefore: before.1)
        }
    }

    subscript(minuteStartMs: Int64) -> Minute? { minutes[minuteStartMs] }
}

/// The tapes a connection has looked at, a few days per symbol, built on first use.
struct TapeCache: Sendable {
    let market: SyntheticMarket
    private var tapes: [String: DayTape] = [:]

    init(market: SyntheticMarket) {
        self.market = market
    }

    /// The minute of `symbol` starting at `minuteStartMs`, if it traded.
    mutating func minute(_ symbol: String, startingAt minuteStartMs: Int64) -> DayTape.Minute? {
        let date = EasternTime.date(containing: minuteStartMs)
        if let tape = tapes[symbol], tape.date == date { return tape[minuteStartMs] }
        let tape = DayTape(symbol: symbol, date: date, bars: market.minuteBars(symbol: symbol, date: date))
        tapes[symbol] = tape
        return tape[minuteStartMs]
    }
}
