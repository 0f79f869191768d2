/// Checks one symbol's bars, in time order, before they are stored.
///
/// Per bar: finite values; positive open, high, low, close and VWAP; non-negative volume and trade
/// count; high ≥ max(open, close) and low ≤ min(open, close); a window start inside a session of
/// the calendar; and, against the previous accepted bar, no duplicate and no step back in time.
/// A failing bar becomes a `QuarantinedBar` with the first failed check as its reason. Only
/// accepted bars move the time cursor, so a bad bar does not hide its corrected resend.
///
/// `validate(_:)` is the streaming step; `partition(_:)` is a fold over it.
public struct BarValidator: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// The bars' width: minute and hour bars must start inside a session's hours; day bars
        /// must be dated (New York) on a session; week bars in a week with a session.
        public var timeframe: Timeframe
        /// Which hours count as inside a session for intraday bars.
        public var scope: SessionScope

        public init(timeframe: Timeframe = .minute, scope: SessionScope = .extended) {
            self.timeframe = timeframe
            self.scope = scope
        }
    }

    /// The outcome for one bar.
    public enum Verdict: Sendable, Equatable {
        case accepted
        case quarantined(QuarantinedBar)
    }

    /// The result of validating a batch: the good bars in order, and the quarantined ones.
    public struct Partition: Sendable, Equatable {
        /// Bars that passed every check, in input order.
        public var accepted: [Bar] = []
        /// Bars that failed, with their reasons, in input order.
        public var quarantined: [QuarantinedBar] = []
    }

    /// The sessions bars must fall in.
    public let calendar: TradingCalendar
    public let configuration: Configuration
    private var lastAcceptedMs: Int64?

    public init(calendar: TradingCalendar, configuration: Configuration = Configuration()) {
        self.calendar = calendar
        self.configuration = configuration
    }

    /// Checks the next bar of the stream.
    public mutating func validate(_ bar: Bar) -> Verdict {
        if let failure = valueFailure(bar) ?? sessionFailure(bar) ?? orderFailure(bar) {
            return .quarantined(QuarantinedBar(bar: bar, reason: failure.reason, message: failure.message))
        }
        lastAcceptedMs = bar.windowStartMs
        return .accepted
    }

    /// Validates a batch in order: a fold over `validate(_:)`.
    public mutating func partition(_ bars: [Bar]) -> Partition {
        var result = Partition()
        result.accepted.reserveCapacity(bars.count)
        for bar in bars {
            switch validate(bar) {
            case .accepted: result.accepted.append(bar)
            case .quarantined(let bad): result.quarantined.append(bad)
            }
        }
        return result
    }

    private typealias Failure = (reason: QuarantinedBar.Reason, message: String)

    /// Allocation-free on the good path: messages are only built for failures.
    private func valueFailure(_ bar: Bar) -> Failure? {
        let vwap = bar.vwap ?? bar.close
        let at = { "in the bar at \(CalendarCSV.iso8601(bar.windowStartMs)): \(Self.describe(bar))" }
        guard bar.open.isFinite, bar.high.isFinite, bar.low.isFinite, bar.close.isFinite, bar.volume.isFinite,
            vwap.isFinite
        else { return (.nonFiniteValue, "a price or the volume is not finite \(at())") }
        guard bar.open > 0, bar.high > 0, bar.low > 0, bar.close > 0, vwap > 0 else {
            return (.nonPositivePrice, "a price is zero or negative \(at())")
        }
        if bar.volume < 0 { return (.negativeVolume, "volume is negative \(at())") }
        if let trades = bar.transactions, trades < 0 {
            return (.negativeTradeCount, "trade count \(trades) is negative \(at())")
        }
        if bar.high < max(bar.open, bar.close) { return (.highBelowOpenOrClose, "high is below open or close \(at())") }
        if bar.low > min(bar.open, bar.close) { return (.lowAboveOpenOrClose, "low is above open or close \(at())") }
        return nil
    }

    private func sessionFailure(_ bar: Bar) -> Failure? {
        let ms = bar.windowStartMs
        let inside: Bool
        switch configuration.timeframe.unit {
        case .minute, .hour:
            inside = calendar.session(containing: ms).map { configuration.scope.bounds(of: $0).contains(ms) } ?? false
        case .day:
            inside = calendar.isSession(EasternTime.date(containing: ms))
        case .week:
            let date = EasternTime.date(containing: ms)
            let monday = date.adding(days: 1 - date.isoWeekday)
            inside = !calendar.sessionIndices(from: monday, through: monday.adding(days: 6)).isEmpty
        }
        if inside { return nil }
        let time = CalendarCSV.iso8601(ms)
        return (.outsideSession, "\(time) is outside the \(configuration.scope.rawValue) hours of every NYSE session")
    }

    private func orderFailure(_ bar: Bar) -> Failure? {
        guard let last = lastAcceptedMs, bar.windowStartMs <= last else { return nil }
        let time = CalendarCSV.iso8601(bar.windowStartMs)
        if bar.windowStartMs == last { return (.duplicateTimestamp, "a second bar starts at \(time)") }
        return (.outOfOrder, "the bar at \(time) comes after one at \(CalendarCSV.iso8601(last))")
    }

    private static func describe(_ bar: Bar) -> String {
        "o=\(bar.open) h=\(bar.high) l=\(bar.low) c=\(bar.close) v=\(bar.volume) vw=\(bar.vwap.map { "\($0)" } ?? "-")"
    }
}
