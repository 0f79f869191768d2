import BackfillCore
import Hummingbird
import Storage

/// A request's query parameters, read and checked one by one: each accessor either returns a valid
/// value or throws an ``APIError`` naming the parameter, what it got and what it accepts.
struct APIQuery: Sendable {
    private let parameters: [String: String]

    init(_ request: Request) {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
        self.parameters = parameters
    }

    init(_ parameters: [String: String]) {
        self.parameters = parameters
    }

    subscript(key: String) -> String? {
        parameters[key].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The required `symbol`, a valid ticker.
    func symbol(_ key: String = "symbol") throws(APIError) -> String {
        guard let symbol = self[key] else { throw APIError("\(key) is required, e.g. \(key)=AAPL") }
        if let problem = Symbol.problem(with: symbol) { throw APIError("\(key): \(problem)") }
        return symbol
    }

    /// `timeframe`, one of ``ChartTimeframe``'s labels.
    func timeframe(default fallback: ChartTimeframe = .day) throws(APIError) -> ChartTimeframe {
        guard let label = self["timeframe"] else { return fallback }
        guard let timeframe = ChartTimeframe(rawValue: label) else {
            let labels = ChartTimeframe.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError("timeframe must be one of \(labels), got '\(label)'")
        }
        return timeframe
    }

    /// `adjust`: none (default), splits or all.
    func adjustment() throws(APIError) -> BarAdjustment {
        guard let text = self["adjust"] else { return .none }
        guard let adjustment = BarAdjustment(rawValue: text) else {
            throw APIError("adjust must be none, splits or all, got '\(text)'")
        }
        return adjustment
    }

    /// An instant: milliseconds since the epoch, or a New York date `YYYY-MM-DD` (its midnight, or
    /// with `endOfDay` its last millisecond); inside the calendar's range (2000–2035), the only
    /// days the resampler and the ledger know.
    func instant(_ key: String, endOfDay: Bool = false) throws(APIError) -> Int64? {
        guard let text = self[key] else { return nil }
        let supported = TradingCalendar.supportedRange
        let earliest = EasternTime.utcMilliseconds(on: supported.first, minutesAfterMidnight: 0)
        let latest = EasternTime.utcMilliseconds(on: supported.last.adding(days: 1), minutesAfterMidnight: 0) - 1
        let problem =
            "\(key) must be milliseconds since the epoch or a date YYYY-MM-DD in \(supported.first)…\(supported.last)"
        if let ms = Int64(text) {
            guard (earliest...latest).contains(ms) else { throw APIError("\(problem), got \(ms)") }
            return ms
        }
        guard let date = LocalDate(text), supported.contains(date) else { throw APIError("\(problem), got '\(text)'") }
        let day = endOfDay ? date.adding(days: 1) : date
        return EasternTime.utcMilliseconds(on: day, minutesAfterMidnight: 0) - (endOfDay ? 1 : 0)
    }

    /// A New York date `YYYY-MM-DD` inside the calendar's range.
    func date(_ key: String) throws(APIError) -> LocalDate? {
        guard let text = self[key] else { return nil }
        let supported = TradingCalendar.supportedRange
        guard let date = LocalDate(text), supported.contains(date) else {
            throw APIError("\(key) must be a date YYYY-MM-DD in \(supported.first)…\(supported.last), got '\(text)'")
        }
        return date
    }

    /// An integer in `range`, `fallback` when absent.
    func integer(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let text = self[key] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw APIError("\(key) must be an integer in \(range.lowerBound)…\(range.upperBound), got '\(text)'")
        }
        return value
    }

    /// `true`/`1`/`yes` or `false`/`0`/`no`; `fallback` when absent.
    func flag(_ key: String, default fallback: Bool) throws(APIError) -> Bool {
        guard let text = self[key] else { return fallback }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw APIError("\(key) must be true or false, got '\(text)'")
        }
    }

    /// `from` and `to` as instants, checked to be in order.
    func interval() throws(APIError) -> (from: Int64?, to: Int64?) {
        let from = try instant("from")
        let to = try instant("to", endOfDay: true)
        if let from, let to, from > to { throw APIError("from (\(from)) is after to (\(to))") }
        return (from, to)
    }
}
