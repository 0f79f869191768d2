import Foundation

/// Conversions between New York wall-clock times and UTC instants, through the tz database.
///
/// The machine's own time zone is never consulted. US daylight-saving changes happen at 02:00
/// local time, so every market time (04:00–20:00) of a date shares the offset in force at noon.
public enum EasternTime {
    private static let zone = TimeZone(identifier: "America/New_York")!

    /// Seconds to add to UTC to get New York time on `date` at noon (−18000 in winter, −14400 in summer).
    public static func utcOffsetSeconds(on date: LocalDate) -> Int {
        let noonUTC = Double(date.daysSinceEpoch) * 86_400 + 16 * 3_600
        return zone.secondsFromGMT(for: Date(timeIntervalSince1970: noonUTC))
    }

    /// The UTC instant of a New York wall-clock time on `date`.
    /// - Parameters:
    ///   - date: the New York calendar date.
    ///   - minutes: minutes after local midnight (e.g. 570 for 09:30), 0 to 1440. Times before 03:00
    ///     on a daylight-saving change day use the offset in force at that time (midnight of the
    ///     spring change is still standard time); a time skipped by the change maps an hour later.
    /// - Returns: milliseconds since the Unix epoch.
    public static func utcMilliseconds(on date: LocalDate, minutesAfterMidnight minutes: Int) -> Int64 {
        let localSeconds = Int64(date.daysSinceEpoch) * 86_400 + Int64(minutes) * 60
        var offset = Int64(utcOffsetSeconds(on: date))
        if minutes < 180 {
            offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(localSeconds - offset))))
        }
        return (localSeconds - offset) * 1_000
    }

    /// The New York calendar date containing a UTC instant.
    /// - Parameter utcMilliseconds: milliseconds since the Unix epoch.
    public static func date(containing utcMilliseconds: Int64) -> LocalDate {
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utcMilliseconds) / 1_000))
        return LocalDate(utcMilliseconds: utcMilliseconds + Int64(offset) * 1_000)
    }
}
