/// A bar that failed validation, kept with the reason so it can be stored apart and inspected,
/// never silently dropped and never stored as if it were valid.
public struct QuarantinedBar: Sendable, Equatable, Codable {
    /// Why a bar was quarantined; the first failed check wins, in the order listed.
    public enum Reason: String, Sendable, Hashable, Codable, CaseIterable {
        /// A price, the volume or the VWAP is NaN or infinite.
        case nonFiniteValue
        /// Open, high, low, close or VWAP is zero or negative.
        case nonPositivePrice
        /// Volume below zero.
        case negativeVolume
        /// Trade count below zero.
        case negativeTradeCount
        /// High below the open or the close.
        case highBelowOpenOrClose
        /// Low above the open or the close.
        case lowAboveOpenOrClose
        /// The window start is not inside a session (in the configured scope) of the calendar.
        case outsideSession
        /// The same window start as the previous accepted bar.
        case duplicateTimestamp
        /// A window start earlier than the previous accepted bar's.
        case outOfOrder
    }

    public var bar: Bar
    public var reason: Reason
    /// A sentence naming the offending values and the bar's time (ISO-8601 UTC).
    public var message: String

    public init(bar: Bar, reason: Reason, message: String) {
        self.bar = bar
        self.reason = reason
        self.message = message
    }
}
