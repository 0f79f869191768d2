import BackfillCore

/// The timeframes a chart offers; all but the stored ones are resampled on the server from the
/// stored minute bars (intraday) or daily bars (weekly) by the core ``Resampler``.
public enum ChartTimeframe: String, Sendable, CaseIterable, Codable {
    case minute1 = "1m"
    case minute5 = "5m"
    case minute15 = "15m"
    case minute30 = "30m"
    case hour1 = "1h"
    case hour4 = "4h"
    case day1 = "1d"
    case week1 = "1w"

    public static let day = ChartTimeframe.day1

    /// The stored timeframe it is built from.
    public var source: Timeframe { self == .day1 || self == .week1 ? .day : .minute }

    /// The resampling interval.
    public var interval: ResampleInterval {
        switch self {
        case .minute1: return .minutes(1)
        case .minute5: return .minutes(5)
        case .minute15: return .minutes(15)
        case .minute30: return .minutes(30)
        case .hour1: return .minutes(60)
        case .hour4: return .minutes(240)
        case .day1: return .day
        case .week1: return .week
        }
    }

    /// Calendar days shown when a request gives no `from`: about a screenful of bars.
    var defaultSpanDays: Int {
        switch self {
        case .minute1: return 7
        case .minute5: return 45
        case .minute15: return 120
        case .minute30: return 240
        case .hour1: return 400
        case .hour4: return 1_000
        case .day1, .week1: return 200 * 366
        }
    }
}
