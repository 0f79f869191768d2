/// An error from the calendar, resampling or validation code: what failed, and what to do.
public struct CalendarError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidDate, invalidRange, dateOutOfRange, unsupportedTimeframe
        }
        private let base: Base

        /// A date that is not `YYYY-MM-DD` or not a real day.
        public static let invalidDate = Code(base: .invalidDate)
        /// A range whose end is before its start.
        public static let invalidRange = Code(base: .invalidRange)
        /// A date outside `TradingCalendar.supportedRange`.
        public static let dateOutOfRange = Code(base: .dateOutOfRange)
        /// A timeframe the resampler cannot produce.
        public static let unsupportedTimeframe = Code(base: .unsupportedTimeframe)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// A sentence for a person: what failed, the offending value, and how to fix it.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
