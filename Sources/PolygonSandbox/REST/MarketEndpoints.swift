import BackfillCore

/// Market status, upcoming holidays, grouped daily bars and previous close.
struct MarketEndpoints: Sendable {
    let market: SyntheticMarket

    func status(nowMs: Int64) -> [UInt8] {
        let today = EasternTime.date(containing: nowMs)
        let session = market.calendar.session(on: today)
        var state = "closed", early = false, after = false
        if let session {
            if nowMs >= session.regularOpenMs && nowMs < session.regularCloseMs {
                state = "open"
            } else if nowMs >= session.preMarketOpenMs && nowMs < session.regularOpenMs {
                (state, early) = ("extended-hours", true)
            } else if nowMs >= session.regularCloseMs && nowMs < session.postMarketCloseMs {
                (state, after) = ("extended-hours", true)
            }
        }
        let offset = EasternTime.utcOffsetSeconds(on: today)
        let local = SandboxJSON.iso(nowMs + Int64(offset) * 1_000).dropLast()
        let zone = "-\(SandboxJSON.two(-offset / 3_600)):00"
        return SandboxJSON.encode(
            MarketStatusJSON(
                market: state, earlyHours: early, afterHours: after, serverTime: "\(local)\(zone)",
                exchanges: ["nyse": state, "nasdaq": state, "otc": state]))
    }

    /// Closures and early closes in the next year, both exchanges, as a bare array.
    func upcoming(nowMs: Int64) -> [UInt8] {
        let today = EasternTime.date(containing: nowMs)
        var rows: [HolidayJSON] = []
        for offset in 0..<366 {
            let date = today.adding(days: offset)
            guard !date.isWeekend, market.calendar.covers(date) else { continue }
            if !market.calendar.isSession(date) {
                for exchange in ["NYSE", "NASDAQ"] {
                    rows.append(
                        HolidayJSON(
                            exchange: exchange, name: Self.holidayName(date), date: date.description, status: "closed"))
                }
            } else if market.calendar.isEarlyClose(date), let session = market.calendar.session(on: date) {
                for exchange in ["NYSE", "NASDAQ"] {
                    rows.append(
                        HolidayJSON(
                            exchange: exchange, name: Self.holidayName(date), date: date.description,
                            status: "early-close",
                            open: SandboxJSON.iso(session.regularOpenMs).replacingZ(),
                            close: SandboxJSON.iso(session.regularCloseMs).replacingZ()))
                }
            }
        }
        return SandboxJSON.encode(rows)
    }

    static func holidayName(_ date: LocalDate) -> String {
        switch (date.month, date.day) {
        case (1, ...2), (12, 31): return "New Year's Day"
        case (1, _): return "Martin Luther King, Jr. Day"
        case (2, _): return "Washington's Birthday"
        case (3, _), (4, _): return "Good Friday"
        case (5, _): return "Memorial Day"
        case (6, _): return "Juneteenth"
        case (7, _): return "Independence Day"
        case (9, _): return "Labor Day"
        case (11, _): return "Thanksgiving"
        case (12, _): return "Christmas"
        default: return "Market Closed"
        }
    }

    /// Every ticker's daily bar of `date`, stamped at the 16:00 close as Polygon's grouped daily is.
    func grouped(_ date: LocalDate, adjusted: Bool, nowMs: Int64, requestID: String) -> [UInt8] {
        let today = EasternTime.date(containing: nowMs)
        var rows: [(String, Bar)] = []
        if let session = market.calendar.session(on: date), session.regularCloseMs <= nowMs,
            let range = DayRange(date, date)
        {
            for (ticker, security) in market.universe.listings(on: date) {
                market.forEachSession(of: security, in: range) { session, anchor in
                    guard
                        var bar = market.dailyBar(
                            from: market.minuteBars(of: security, session: session, anchor: anchor), session: session)
                    else { return }
                    if adjusted { bar = market.splitAdjusted(bar, of: security, on: date, asOf: today) }
                    bar.windowStartMs = session.regularCloseMs
                    rows.append((ticker, bar))
                }
            }
        }
        return Self.page(rows, adjusted: adjusted, requestID: requestID, ticker: nil)
    }

    /// The previous session's bar of `ticker`.
    func previousClose(_ ticker: String, adjusted: Bool, nowMs: Int64, requestID: String) -> [UInt8] {
        let today = EasternTime.date(containing: nowMs)
        var rows: [(String, Bar)] = []
        if let previous = market.calendar.previousSession(before: today)?.date, let range = DayRange(previous, previous)
        {
            market.forEachSession(ticker: ticker, in: range) { security, session, minutes in
                guard var bar = market.dailyBar(from: minutes, session: session) else { return }
                if adjusted { bar = market.splitAdjusted(bar, of: security, on: previous, asOf: today) }
                bar.windowStartMs = session.regularCloseMs
                rows.append((ticker, bar))
            }
        }
        return Self.page(rows, adjusted: adjusted, requestID: requestID, ticker: ticker)
    }

    static func page(_ rows: [(String, Bar)], adjusted: Bool, requestID: String, ticker: String?) -> [UInt8] {
        var json = JSONWriter(capacity: 64 + rows.count * 120)
        json.raw("{")
        if let ticker { json.key("ticker"); json.string(ticker); json.raw(",") }
        json.raw("\"queryCount\":\(rows.count),\"resultsCount\":\(rows.count),\"adjusted\":\(adjusted),\"results\":[")
        for (index, (symbol, bar)) in rows.enumerated() {
            if index > 0 { json.raw(",") }
            json.raw("{\"T\":"); json.string(symbol); json.raw(",")
            var barJSON = JSONWriter()
            AggregatesEndpoint.write(bar, into: &barJSON)
            json.raw(String(decoding: barJSON.bytes.dropFirst(), as: UTF8.self))
        }
        json.raw("],\"status\":\"OK\",\"request_id\":"); json.string(requestID)
        json.raw(",\"count\":\(rows.count)}")
        return json.bytes
    }
}

extension String {
    /// `…T14:30:00Z` → `…T14:30:00.000Z`, the form Polygon uses on early-close rows.
    fileprivate func replacingZ() -> String { dropLast() + ".000Z" }
}
