/// The width of an aggregate bar: a multiplier of a calendar unit, as in Polygon's `range/{n}/{span}`.
public struct Timeframe: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Unit: String, Sendable, Hashable, Codable, CaseIterable {
        case minute, hour, day, week
    }

    public var multiplier: Int
    public var unit: Unit

    public init(_ multiplier: Int, _ unit: Unit) {
        precondition(multiplier > 0, "a timeframe multiplier must be positive")
        self.multiplier = multiplier
        self.unit = unit
    }

    public static let minute = Timeframe(1, .minute)
    public static let day = Timeframe(1, .day)

    /// Polygon's `timespan` path segment.
    public var polygonTimespan: String { unit.rawValue }

    /// Compact label such as `1m`, `5m`, `1h`, `1d`, `1w`.
    public var description: String {
        switch unit {
        case .minute: return "\(multiplier)m"
        case .hour: return "\(multiplier)h"
        case .day: return "\(multiplier)d"
        case .week: return "\(multiplier)w"
        }
    }

    /// Parses the compact label (`1m`, `15m`, `1h`, `1d`, `1w`); nil for anything else.
    public init?(label: String) {
        guard let suffix = label.last, let multiplier = Int(label.dropLast()), multiplier > 0 else { return nil }
        switch suffix {
        case "m": self.init(multiplier, .minute)
        case "h": self.init(multiplier, .hour)
        case "d": self.init(multiplier, .day)
        case "w": self.init(multiplier, .week)
        default: return nil
        }
    }
}
