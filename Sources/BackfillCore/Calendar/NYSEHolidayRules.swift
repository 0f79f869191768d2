/// The New York Stock Exchange's full-day closures and 13:00 early closes, derived by rule.
///
/// The rules follow NYSE Rule 7.2 and its history as encoded by the `exchange_calendars` XNYS
/// calendar (the reference the tests compare against, session by session, over 2000–2030):
///
/// - New Year's Day, observed on Monday when it falls on a Sunday; a Saturday New Year's Day is
///   *not* observed on the Friday before (that Friday is the last session of the old year).
/// - Martin Luther King Jr. Day (third Monday of January, from 1998), Washington's Birthday (third
///   Monday of February), Good Friday, Memorial Day (last Monday of May), Labor Day (first Monday of
///   September), Thanksgiving (fourth Thursday of November).
/// - Juneteenth (from 2022), Independence Day and Christmas, observed on the nearest weekday
///   (Saturday → Friday, Sunday → Monday).
/// - One-off closures: 9/11 (2001-09-11…14), national days of mourning (2004-06-11 Reagan,
///   2007-01-02 Ford, 2018-12-05 G. H. W. Bush, 2025-01-09 Carter), Hurricane Sandy
///   (2012-10-29, 2012-10-30).
/// - Early closes at 13:00: July 3 when it is a Monday, Tuesday or Thursday, and also a Wednesday
///   from 2013; Friday July 5 before 2013; the day after Thanksgiving; Christmas Eve on Monday to
///   Thursday; and the one-off 2003-12-26.
public enum NYSEHolidayRules {
    /// Weekdays on which the exchange is closed all day in `year`, sorted.
    public static func closures(in year: Int) -> [LocalDate] {
        var days: [LocalDate] = []
        if let newYear = LocalDate(year: year, month: 1, day: 1), newYear.isoWeekday != 6 {
            days.append(sundayToMonday(newYear))
        }
        if year >= 1998 { days.append(nthWeekday(3, weekday: 1, month: 1, year: year)) }
        days.append(nthWeekday(3, weekday: 1, month: 2, year: year))
        days.append(easterSunday(in: year).adding(days: -2))
        days.append(lastWeekday(1, month: 5, year: year))
        if year >= 2022 { days.append(nearestWeekday(fixed(year, 6, 19))) }
        days.append(nearestWeekday(fixed(year, 7, 4)))
        days.append(nthWeekday(1, weekday: 1, month: 9, year: year))
        days.append(thanksgiving(in: year))
        days.append(nearestWeekday(fixed(year, 12, 25)))
        days += oneOffClosures.filter { $0.year == year }
        return days.filter { !$0.isWeekend }.sorted()
    }

    /// Sessions of `year` that close at 13:00 New York time instead of 16:00, sorted.
    ///
    /// A rule that names a day the exchange is closed (for example July 3 observed as Independence
    /// Day) yields nothing; `TradingCalendar` applies closures first.
    public static func earlyCloses(in year: Int) -> [LocalDate] {
        var days: [LocalDate] = []
        let julyThird = fixed(year, 7, 3)
        switch julyThird.isoWeekday {
        case 1, 2, 4: days.append(julyThird)
        case 3 where year >= 2013: days.append(julyThird)
        default: break
        }
        let julyFifth = fixed(year, 7, 5)
        if julyFifth.isoWeekday == 5, year < 2013 { days.append(julyFifth) }
        days.append(thanksgiving(in: year).adding(days: 1))
        let christmasEve = fixed(year, 12, 24)
        if christmasEve.isoWeekday <= 4 { days.append(christmasEve) }
        days += oneOffEarlyCloses.filter { $0.year == year }
        return days.sorted()
    }

    /// Easter Sunday of `year` in the Gregorian calendar (anonymous Gregorian computus).
    public static func easterSunday(in year: Int) -> LocalDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return fixed(year, month, day)
    }

    /// Closures that no rule produces: 9/11, national days of mourning, Hurricane Sandy.
    static let oneOffClosures: [LocalDate] = [
        "2001-09-11", "2001-09-12", "2001-09-13", "2001-09-14",
        "2004-06-11", "2007-01-02", "2012-10-29", "2012-10-30", "2018-12-05", "2025-01-09",
    ].map(literalDate)

    /// Early closes that no rule produces (the Friday after Christmas 2003).
    static let oneOffEarlyCloses: [LocalDate] = ["2003-12-26"].map(literalDate)

    // MARK: - Date arithmetic

    private static func literalDate(_ text: String) -> LocalDate {
        guard let date = LocalDate(text) else { preconditionFailure("bad literal date \(text)") }
        return date
    }

    /// A civil date that exists for every year (callers pass fixed month/day pairs).
    private static func fixed(_ year: Int, _ month: Int, _ day: Int) -> LocalDate {
        LocalDate(daysSinceEpoch: LocalDate.days(fromCivil: year, month, day))
    }

    private static func sundayToMonday(_ date: LocalDate) -> LocalDate {
        date.isoWeekday == 7 ? date.adding(days: 1) : date
    }

    private static func nearestWeekday(_ date: LocalDate) -> LocalDate {
        switch date.isoWeekday {
        case 6: return date.adding(days: -1)
        case 7: return date.adding(days: 1)
        default: return date
        }
    }

    /// The `n`th ISO `weekday` (1 = Monday) of a month.
    private static func nthWeekday(_ n: Int, weekday: Int, month: Int, year: Int) -> LocalDate {
        let first = fixed(year, month, 1)
        let shift = (weekday - first.isoWeekday + 7) % 7
        return first.adding(days: shift + 7 * (n - 1))
    }

    /// The last ISO `weekday` (1 = Monday) of a month.
    private static func lastWeekday(_ weekday: Int, month: Int, year: Int) -> LocalDate {
        let last = fixed(year, month, LocalDate.daysIn(month: month, year: year))
        return last.adding(days: -((last.isoWeekday - weekday + 7) % 7))
    }

    private static func thanksgiving(in year: Int) -> LocalDate {
        nthWeekday(4, weekday: 4, month: 11, year: year)
    }
}
