import BackfillCore

/// The stock aggregate datasets of Polygon's flat files, and the bucket's key layout
/// (`us_stocks_sip/minute_aggs_v1/2024/03/2024-03-15.csv.gz`), also used by `--flatfiles-dir`.
public enum DayFileDataset: String, Sendable, CaseIterable {
    case minuteAggregates = "minute_aggs_v1"
    case dayAggregates = "day_aggs_v1"

    public static let assetPrefix = "us_stocks_sip"
    /// The task kind under which day files are tracked.
    public static let taskKind = "flat-file"

    /// The dataset holding bars of `timeframe`, if one does.
    public init?(timeframe: Timeframe) {
        switch timeframe {
        case .minute: self = .minuteAggregates
        case .day: self = .dayAggregates
        default: return nil
        }
    }

    public var timeframe: Timeframe { self == .minuteAggregates ? .minute : .day }

    /// The listing prefix of one month: `us_stocks_sip/minute_aggs_v1/2024/03/`.
    public func monthPrefix(year: Int, month: Int) -> String {
        "\(Self.assetPrefix)/\(rawValue)/\(year)/\(month < 10 ? "0" : "")\(month)/"
    }

    /// The key of one day's file.
    public func key(_ date: LocalDate) -> String {
        monthPrefix(year: date.year, month: date.month) + "\(date).csv.gz"
    }

    /// The dataset and date a key names (`.csv.gz` or `.csv`), when it follows the layout.
    public static func parse(key: String) -> (dataset: DayFileDataset, date: LocalDate)? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == assetPrefix, let dataset = DayFileDataset(rawValue: String(parts[1])) else {
            return nil
        }
        let name = parts[4]
        let stem = name.hasSuffix(".csv.gz") ? name.dropLast(7) : (name.hasSuffix(".csv") ? name.dropLast(4) : nil)
        guard let stem, let date = LocalDate(stem), Int(parts[2]) == date.year, Int(parts[3]) == date.month else {
            return nil
        }
        return (dataset, date)
    }

    /// The month prefixes a date range spans, oldest first.
    public func monthPrefixes(_ range: DayRange) -> [String] {
        var prefixes: [String] = []
        var year = range.first.year
        var month = range.first.month
        while (year, month) <= (range.last.year, range.last.month) {
            prefixes.append(monthPrefix(year: year, month: month))
            (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
        }
        return prefixes
    }
}
