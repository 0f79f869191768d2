import BackfillCore
import HTTPTypes
import Hummingbird
import Storage

extension WebApp {
    /// The `Server-Timing` header, whose `app;dur=` is the handler's time in milliseconds.
    public static let serverTiming = HTTPField.Name("Server-Timing")!

    /// `GET /api/bars` (with OHLCV) and `GET /api/indicators` (without): one page of a symbol's
    /// bars in a chart timeframe and adjustment, with the indicators asked for.
    func chart(_ request: Request, includeBars: Bool) async throws -> Response {
        let started = ContinuousClock.now
        let query = APIQuery(request)
        let symbol = try query.symbol()
        let timeframe = try query.timeframe()
        let adjustment = try query.adjustment()
        let limit = try query.integer("limit", default: configuration.maxBars, in: 1...configuration.maxBars)
        let extended = try query.flag("extended", default: true)
        let indicators = try IndicatorSelection.configuration(query, defaultAll: !includeBars)
        let (fromMs, toMs) = try await window(query, symbol: symbol, timeframe: timeframe)
        // 1m and 1d are stored as is: read one bar past the page. Resampled timeframes read up to
        // the source budget, which bounds memory whatever range is asked for.
        let stored = timeframe == .minute1 || timeframe == .day1
        let readLimit = (stored ? limit : configuration.maxSourceBars) + 1
        let reading = ContinuousClock.now
        var source = try await store.bars(
            symbol: symbol, timeframe: timeframe.source, fromMs: fromMs, toMs: toMs, limit: readLimit,
            adjustment: adjustment)
        metrics.recordStoreRead(ContinuousClock.now - reading)
        let following = source.count == readLimit ? source.removeLast().windowStartMs : nil
        let series = try ChartSeries.build(
            from: source, following: following, timeframe: timeframe, extendedHours: extended, limit: limit,
            calendar: calendar)
        var engine: IndicatorEngine?
        if let indicators {
            engine = try await warmedUpEngine(
                indicators, symbol: symbol, timeframe: timeframe, adjustment: adjustment, extended: extended,
                beforeMs: fromMs)
        }
        let bars = series.bars
        let values = engine?.values(over: bars)
        let indicatorConfiguration = engine?.configuration
        // Half the arrays are formatted by a child task while this one formats the other half:
        // bands and oscillators there; times, OHLCV and the averages here (about 8 arrays each).
        async let bandsAndOscillators: JSONText? = values.map { values in
            var part = JSONText(capacity: bars.count * (90 + JSONText.maxNumberBytes) + 1_024)
            Self.writeBandsAndOscillators(indicatorConfiguration, values, into: &part)
            return part
        }
        // About 14 bytes a time, 14 a raw value and 11 an average; one array's worth more as room
        // to format into, so the buffer is not grown while writing.
        let perBar = 14 + (includeBars ? 70 : 0) + (values == nil ? 0 : 22) + JSONText.maxNumberBytes
        var json = JSONText(capacity: bars.count * perBar + 1_024)
        json.openObject()
        json.field("symbol", symbol)
        json.field("timeframe", timeframe.rawValue)
        json.field("adjust", adjustment.rawValue)
        json.field("extended", extended)
        json.field("from", fromMs == .min ? nil : fromMs)  // null: open-ended
        json.field("to", toMs == .max ? nil : toMs)
        json.field("count", bars.count)
        json.field("next", series.next)
        json.field("t", integers: bars.lazy.map(\.windowStartMs))
        if includeBars { Self.writeOHLCV(bars, into: &json) }
        if let indicatorConfiguration, let values {
            json.key("indicators")
            json.openObject()
            Self.writeAverages(indicatorConfiguration, values, into: &json)
            if let part = await bandsAndOscillators, part.buffer.readableBytes > 0 { json.append(part) }
            json.closeObject()
        }
        json.closeObject()
        var response = Self.jsonResponse(json)
        // Read, resample, indicators and JSON, for clients and the benchmark (W3C Server-Timing).
        let ms = Self.seconds(since: started) * 1_000
        response.headers[Self.serverTiming] = "app;dur=\((ms * 100).rounded() / 100)"
        return response
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// The requested `from`/`to`, or a default window of about a screenful ending at the symbol's
    /// last stored minute session (all of it for daily and weekly bars).
    private func window(_ query: APIQuery, symbol: String, timeframe: ChartTimeframe) async throws -> (Int64, Int64) {
        let (from, to) = try query.interval()
        if let from { return (from, to ?? .max) }
        if timeframe.source == .day { return (.min, to ?? .max) }
        let end: Int64
        if let to {
            end = to
        } else if let span = try await store.ledgerSpan(symbol: symbol) {
            end = EasternTime.utcMilliseconds(on: span.last.adding(days: 1), minutesAfterMidnight: 0) - 1
        } else {
            return (.min, .max)
        }
        let start = EasternTime.date(containing: end).adding(days: -timeframe.defaultSpanDays)
        return (EasternTime.utcMilliseconds(on: start, minutesAfterMidnight: 0), end)
    }

    private static func writeOHLCV(_ bars: [Bar], into json: inout JSONText) {
        json.field("o", numbers: bars.lazy.map { Optional($0.open) })
        json.field("h", numbers: bars.lazy.map { Optional($0.high) })
        json.field("l", numbers: bars.lazy.map { Optional($0.low) })
        json.field("c", numbers: bars.lazy.map { Optional($0.close) })
        json.field("v", numbers: bars.lazy.map { Optional($0.volume) })
    }

    /// The SMA and EMA arrays (aligned with `t`, null while warming up) with their periods.
    private static func writeAverages(
        _ configuration: IndicatorEngine.Configuration, _ values: [IndicatorEngine.Values?],
        into json: inout JSONText
    ) {
        if let period = configuration.smaPeriod {
            json.field("smaPeriod", period)
            json.field("sma", derived: values.lazy.map { $0?.sma })
        }
        if let period = configuration.emaPeriod {
            json.field("emaPeriod", period)
            json.field("ema", derived: values.lazy.map { $0?.ema })
        }
    }

    /// The Bollinger, RSI, MACD and VWAP arrays with their parameters: the fields after the averages.
    private static func writeBandsAndOscillators(
        _ configuration: IndicatorEngine.Configuration?, _ values: [IndicatorEngine.Values?],
        into json: inout JSONText
    ) {
        guard let configuration else { return }
        if let bands = configuration.bollinger {
            json.field("bollingerPeriod", bands.period)
            json.field("bollingerDeviations", bands.deviations)
            json.field("bollingerUpper", derived: values.lazy.map { $0?.bollinger?.upper })
            json.field("bollingerMiddle", derived: values.lazy.map { $0?.bollinger?.middle })
            json.field("bollingerLower", derived: values.lazy.map { $0?.bollinger?.lower })
        }
        if let period = configuration.rsiPeriod {
            json.field("rsiPeriod", period)
            json.field("rsi", derived: values.lazy.map { $0?.rsi })
        }
        if let macd = configuration.macd {
            json.key("macdPeriods")
            json.array {
                $0.integer(Int64(macd.fast)); $0.integer(Int64(macd.slow)); $0.integer(Int64(macd.signal))
            }
            json.field("macd", derived: values.lazy.map { $0?.macd?.macd })
            json.field("macdSignal", derived: values.lazy.map { $0?.macd?.signal })
            json.field("macdHistogram", derived: values.lazy.map { $0?.macd?.histogram })
        }
        if configuration.vwap != nil {
            json.field("vwap", derived: values.lazy.map { $0?.vwap })
        }
    }

    /// An engine fed the bars before `beforeMs` (about five times the longest period, so EMAs have
    /// converged), so a page's first values equal those of a longer request: the same incremental
    /// engine continuing, not a second implementation.
    private func warmedUpEngine(
        _ configuration: IndicatorEngine.Configuration, symbol: String, timeframe: ChartTimeframe,
        adjustment: BarAdjustment, extended: Bool, beforeMs: Int64
    ) async throws -> IndicatorEngine {
        var engine = try IndicatorEngine(configuration: configuration)
        let periods = [
            configuration.smaPeriod, configuration.emaPeriod, configuration.rsiPeriod,
            configuration.macd.map { $0.slow + $0.signal }, configuration.bollinger?.period,
        ]
        let warmUpBars = min(5 * (periods.compactMap { $0 }.max() ?? 1), 5_000)
        guard beforeMs > Int64.min, warmUpBars > 1 else { return engine }
        // Sessions to read back (capped, so a long period on 4h bars cannot read years of minutes).
        let sessions: Int
        switch timeframe.interval {
        case .minutes(let n): sessions = min(400, warmUpBars / max(1, (extended ? 960 : 390) / n) + 1)
        case .day: sessions = warmUpBars
        case .week: sessions = warmUpBars * 5
        }
        let firstDay = EasternTime.date(containing: beforeMs).adding(days: -(sessions * 7 / 5 + 7))
        let source = try await store.bars(
            symbol: symbol, timeframe: timeframe.source,
            fromMs: EasternTime.utcMilliseconds(on: firstDay, minutesAfterMidnight: 0), toMs: beforeMs - 1,
            limit: self.configuration.maxSourceBars, adjustment: adjustment)
        let series = try ChartSeries.build(
            from: source, following: nil, timeframe: timeframe, extendedHours: extended, limit: source.count + 1,
            calendar: calendar)
        for bar in series.bars.suffix(warmUpBars) { _ = engine.update(bar) }
        return engine
    }
}
