extension IndicatorEngine {
    /// The indicators at one bar; each is nil when not configured or still warming up.
    ///
    /// Stored as plain Doubles with NaN for "absent" so the engine's hot path moves aligned floats
    /// rather than a packed run of optionals (which cost store-forwarding stalls, ~2× in the
    /// benchmark). A NaN produced from a NaN input therefore reads as absent too.
    public struct Values: Sendable, Equatable, Codable {
        var smaValue = Double.nan
        var emaValue = Double.nan
        var rsiValue = Double.nan
        var macdLine = Double.nan
        var macdSignal = Double.nan
        var macdHistogram = Double.nan
        var upperBand = Double.nan
        var middleBand = Double.nan
        var lowerBand = Double.nan
        var vwapValue = Double.nan

        public init(
            sma: Double? = nil, ema: Double? = nil, rsi: Double? = nil, macd: MACD.Value? = nil,
            bollinger: BollingerBands.Value? = nil, vwap: Double? = nil
        ) {
            self.sma = sma
            self.ema = ema
            self.rsi = rsi
            self.macd = macd
            self.bollinger = bollinger
            self.vwap = vwap
        }

        /// Simple moving average, price units.
        public var sma: Double? {
            get { smaValue.isNaN ? nil : smaValue }
            set { smaValue = newValue ?? .nan }
        }

        /// Exponential moving average, price units.
        public var ema: Double? {
            get { emaValue.isNaN ? nil : emaValue }
            set { emaValue = newValue ?? .nan }
        }

        /// Relative strength index, 0…100.
        public var rsi: Double? {
            get { rsiValue.isNaN ? nil : rsiValue }
            set { rsiValue = newValue ?? .nan }
        }

        /// MACD line, signal and histogram, price units.
        public var macd: MACD.Value? {
            get { macdLine.isNaN ? nil : MACD.Value(macd: macdLine, signal: macdSignal, histogram: macdHistogram) }
            set {
                macdLine = newValue?.macd ?? .nan
                macdSignal = newValue?.signal ?? .nan
                macdHistogram = newValue?.histogram ?? .nan
            }
        }

        /// Bollinger bands, price units.
        public var bollinger: BollingerBands.Value? {
            get {
                middleBand.isNaN ? nil : BollingerBands.Value(upper: upperBand, middle: middleBand, lower: lowerBand)
            }
            set {
                upperBand = newValue?.upper ?? .nan
                middleBand = newValue?.middle ?? .nan
                lowerBand = newValue?.lower ?? .nan
            }
        }

        /// Session VWAP, price units.
        public var vwap: Double? {
            get { vwapValue.isNaN ? nil : vwapValue }
            set { vwapValue = newValue ?? .nan }
        }

        public static func == (lhs: Values, rhs: Values) -> Bool {
            lhs.sma == rhs.sma && lhs.ema == rhs.ema && lhs.rsi == rhs.rsi && lhs.macd == rhs.macd
                && lhs.bollinger == rhs.bollinger && lhs.vwap == rhs.vwap
        }

        enum CodingKeys: String, CodingKey {
            case sma, ema, rsi, macd, bollinger, vwap
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                sma: try container.decodeIfPresent(Double.self, forKey: .sma),
                ema: try container.decodeIfPresent(Double.self, forKey: .ema),
                rsi: try container.decodeIfPresent(Double.self, forKey: .rsi),
                macd: try container.decodeIfPresent(MACD.Value.self, forKey: .macd),
                bollinger: try container.decodeIfPresent(BollingerBands.Value.self, forKey: .bollinger),
                vwap: try container.decodeIfPresent(Double.self, forKey: .vwap))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(sma, forKey: .sma)
            try container.encodeIfPresent(ema, forKey: .ema)
            try container.encodeIfPresent(rsi, forKey: .rsi)
            try container.encodeIfPresent(macd, forKey: .macd)
            try container.encodeIfPresent(bollinger, forKey: .bollinger)
            try container.encodeIfPresent(vwap, forKey: .vwap)
        }
    }
}
