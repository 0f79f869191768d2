import BackfillCore

/// Which indicators a chart request asks for, as an ``IndicatorEngine/Configuration``:
/// `sma=20&ema=50&bollinger=20,2&rsi=14&macd=12,26,9&vwap=true`, or `indicators=all` for the
/// engine's defaults.
enum IndicatorSelection {
    /// The configuration asked for; nil when the request names no indicator and `defaultAll` is false.
    static func configuration(_ query: APIQuery, defaultAll: Bool) throws(APIError) -> IndicatorEngine.Configuration? {
        let keys = ["sma", "ema", "rsi", "macd", "bollinger", "vwap"]
        let named = keys.contains { query[$0] != nil }
        if query["indicators"] == "all" || (!named && defaultAll) { return IndicatorEngine.Configuration() }
        if let other = query["indicators"], other != "all" {
            throw APIError("indicators must be 'all' (or name them: sma=20&ema=50…), got '\(other)'")
        }
        guard named else { return nil }
        var configuration = IndicatorEngine.Configuration(
            smaPeriod: try period(query, "sma"), emaPeriod: try period(query, "ema"),
            rsiPeriod: try period(query, "rsi"),
            macd: nil, bollinger: nil, vwap: try vwap(query))
        if let text = query["macd"] {
            guard let macd = IndicatorEngine.Configuration.MACDPeriods(argument: text) else {
                throw APIError("macd must be fast,slow,signal periods such as 12,26,9, got '\(text)'")
            }
            configuration.macd = macd
        }
        if let text = query["bollinger"] {
            guard let bands = IndicatorEngine.Configuration.BollingerParameters(argument: text) else {
                throw APIError("bollinger must be period,deviations such as 20,2, got '\(text)'")
            }
            configuration.bollinger = bands
        }
        do {
            try configuration.validate()
        } catch {
            throw APIError("\(error)")
        }
        return configuration
    }

    private static func period(_ query: APIQuery, _ key: String) throws(APIError) -> Int? {
        guard let text = query[key] else { return nil }
        guard let value = Int(text) else { throw APIError("\(key) must be a period in bars such as 20, got '\(text)'") }
        return value
    }

    private static func vwap(_ query: APIQuery) throws(APIError) -> SessionVWAP.PriceSource? {
        guard let text = query["vwap"] else { return nil }
        switch text {
        case "true", "1", "typical", SessionVWAP.PriceSource.typicalPrice.rawValue: return .typicalPrice
        case "bar", SessionVWAP.PriceSource.barVWAP.rawValue: return .barVWAP
        case "false", "0": return nil
        default: throw APIError("vwap must be true, typical, bar or false, got '\(text)'")
        }
    }
}
