extension IndicatorEngine {
    /// Which indicators run and with which periods; nil switches one off.
    ///
    /// The defaults are the common chart set: SMA 20, EMA 20, RSI 14, MACD 12/26/9, Bollinger 20/2 and
    /// the session VWAP on typical prices.
    public struct Configuration: Sendable, Hashable, Codable {
        /// MACD periods, in bars.
        public struct MACDPeriods: Sendable, Hashable, Codable {
            /// Fast EMA period (bars).
            public var fast: Int
            /// Slow EMA period (bars).
            public var slow: Int
            /// Signal EMA period (MACD values).
            public var signal: Int

            public init(fast: Int = 12, slow: Int = 26, signal: Int = 9) {
                self.fast = fast
                self.slow = slow
                self.signal = signal
            }

            /// Reads `fast,slow,signal` (e.g. `12,26,9`); nil unless three integers.
            public init?(argument: String) {
                let parts = argument.split(separator: ",", omittingEmptySubsequences: false).compactMap { Int($0) }
                guard parts.count == 3, argument.filter({ $0 == "," }).count == 2 else { return nil }
                self.init(fast: parts[0], slow: parts[1], signal: parts[2])
            }
        }

        /// Bollinger period in bars and band width in standard deviations.
        public struct BollingerParameters: Sendable, Hashable, Codable {
            /// Window length (bars).
            public var period: Int
            /// Band half-width in population standard deviations.
            public var deviations: Double

            public init(period: Int = 20, deviations: Double = 2) {
                self.period = period
                self.deviations = deviations
            }

            /// Reads `period,deviations` (e.g. `20,2` or `20,2.5`); nil unless an integer and a number.
            public init?(argument: String) {
                let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
                guard parts.count == 2, let period = Int(parts[0]), let deviations = Double(parts[1]) else {
                    return nil
                }
                self.init(period: period, deviations: deviations)
            }
        }

        /// SMA window (bars); nil turns it off.
        public var smaPeriod: Int?
        /// EMA period (bars); nil turns it off.
        public var emaPeriod: Int?
        /// RSI period (bars); nil turns it off.
        public var rsiPeriod: Int?
        /// MACD periods; nil turns it off.
        public var macd: MACDPeriods?
        /// Bollinger parameters; nil turns it off.
        public var bollinger: BollingerParameters?
        /// Session VWAP price source; nil turns it off.
        public var vwap: SessionVWAP.PriceSource?

        public init(
            smaPeriod: Int? = 20, emaPeriod: Int? = 20, rsiPeriod: Int? = 14, macd: MACDPeriods? = MACDPeriods(),
            bollinger: BollingerParameters? = BollingerParameters(), vwap: SessionVWAP.PriceSource? = .typicalPrice
        ) {
            self.smaPeriod = smaPeriod
            self.emaPeriod = emaPeriod
            self.rsiPeriod = rsiPeriod
            self.macd = macd
            self.bollinger = bollinger
            self.vwap = vwap
        }

        /// Checks the ranges TA-Lib accepts: periods 2…100,000 (MACD signal from 1, fast below
        /// slow) and a finite, positive band width.
        /// - Throws: ``IndicatorEngine/ConfigurationError`` naming the first bad parameter.
        public func validate() throws {
            try Self.check("SMA period", smaPeriod)
            try Self.check("EMA period", emaPeriod)
            try Self.check("RSI period", rsiPeriod)
            if let macd {
                try Self.check("MACD fast period", macd.fast)
                try Self.check("MACD slow period", macd.slow)
                try Self.check("MACD signal period", macd.signal, minimum: 1)
                guard macd.fast < macd.slow else {
                    throw ConfigurationError(message: "MACD fast period \(macd.fast) must be below slow \(macd.slow)")
                }
            }
            if let bollinger {
                try Self.check("Bollinger period", bollinger.period)
                guard bollinger.deviations.isFinite, bollinger.deviations > 0 else {
                    throw ConfigurationError(message: "Bollinger width \(bollinger.deviations) must be positive")
                }
            }
        }

        private static func check(_ name: String, _ period: Int?, minimum: Int = 2) throws {
            guard let period else { return }
            guard (minimum...100_000).contains(period) else {
                throw ConfigurationError(message: "\(name) \(period) is outside \(minimum)...100000")
            }
        }
    }

    /// A configuration parameter outside the accepted range.
    public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
        /// Which parameter and the accepted range.
        public var message: String
        public var description: String { message }
    }
}
