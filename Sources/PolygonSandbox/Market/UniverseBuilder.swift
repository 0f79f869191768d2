import BackfillCore

/// Draws the synthetic securities, one decision at a time from the seeded generator.
struct UniverseBuilder {
    let calendar: TradingCalendar
    var securities: [SyntheticSecurity] = []
    var used: Set<String> = []
    static let firstDate = LocalDate(year: 2000, month: 1, day: 3)!
    static let lastDate = LocalDate(year: 2035, month: 12, day: 31)!

    init(calendar: TradingCalendar) {
        self.calendar = calendar
    }

    mutating func add(ticker: String, name: String, exchange: String, rng: inout SplitMix64, plain: Bool) {
        var security = base(name: name, exchange: exchange, rng: &rng)
        security.names = [.init(ticker: ticker, first: security.listDate, last: nil)]
        security.type = ticker == "SPY" || ticker == "QQQ" ? "ETF" : (ticker == "TpC" ? "PFD" : "CS")
        if !plain { decorate(&security, rng: &rng) } else { addActions(&security, rng: &rng) }
        used.insert(ticker)
        securities.append(security)
    }

    /// Facebook became Meta: FB until 2022-06-08, META from 2022-06-09 (the first session under the new name).
    mutating func addMeta(rng: inout SplitMix64) {
        var security = base(name: "Meta Platforms, Inc. Class A Common Stock", exchange: "XNAS", rng: &rng)
        security.listDate = LocalDate(year: 2012, month: 5, day: 18)!
        security.names = [
            .init(ticker: "FB", first: security.listDate, last: LocalDate(year: 2022, month: 6, day: 8)!),
            .init(ticker: "META", first: LocalDate(year: 2022, month: 6, day: 9)!, last: nil),
        ]
        security.dividendDates = quarterly(from: LocalDate(year: 2024, month: 2, day: 22)!, rng: &rng)
        used.formUnion(["FB", "META"])
        securities.append(security)
    }

    mutating func addGenerated(rng: inout SplitMix64) {
        let ticker = freshTicker(rng: &rng)
        let types = ["CS", "CS", "CS", "CS", "CS", "CS", "ETF", "ADRC", "PFD", "WARRANT"]
        var security = base(
            name: "\(ticker.prefix(1))\(ticker.dropFirst().lowercased()) Holdings (synthetic)",
            exchange: ["XNYS", "XNAS", "ARCX"][Int(rng.next() % 3)], rng: &rng)
        security.type = types[Int(rng.next() % UInt64(types.count))]
        security.names = [.init(ticker: ticker, first: security.listDate, last: nil)]
        used.insert(ticker)
        decorate(&security, rng: &rng)
        securities.append(security)
    }

    private func base(name: String, exchange: String, rng: inout SplitMix64) -> SyntheticSecurity {
        let id = securities.count
        return SyntheticSecurity(
            id: id, name: name, type: "CS", exchange: exchange, compositeFIGI: figi(&rng), shareClassFIGI: figi(&rng),
            cik: String(format6(1_000_000 + Int(rng.next() % 8_999_999))), listDate: Self.firstDate, delistDate: nil,
            names: [], splits: [], dividendDates: [], baseVolume: 2_000 + Double(rng.next() % 40_000),
            sharesOutstanding: Double(50 + rng.next() % 5_000) * 1_000_000)
    }

    /// Later listings, delistings, renames, splits and dividends for a generated security.
    private mutating func decorate(_ security: inout SyntheticSecurity, rng: inout SplitMix64) {
        if rng.nextUnit() < 0.3 { security.listDate = session(near: randomDate(2001, 2024, &rng)) }
        let ticker = security.names[0].ticker
        if rng.nextUnit() < 0.06 {
            security.delistDate = session(near: randomDate(max(2003, security.listDate.year + 1), 2025, &rng))
        }
        let end = security.delistDate ?? Self.lastDate
        if rng.nextUnit() < 0.05, end.daysSinceEpoch - security.listDate.daysSinceEpoch > 800 {
            let change = session(near: security.listDate.adding(days: 400 + Int(rng.next() % 300)))
            let newTicker = freshTicker(rng: &rng)
            used.insert(newTicker)
            let lastOld = calendar.previousSession(before: change)?.date ?? change.adding(days: -1)
            security.names = [
                .init(ticker: ticker, first: security.listDate, last: lastOld),
                .init(ticker: newTicker, first: change, last: nil),
            ]
        }
        addActions(&security, rng: &rng)
    }

    private mutating func addActions(_ security: inout SyntheticSecurity, rng: inout SplitMix64) {
        let end = security.delistDate ?? LocalDate(year: 2026, month: 11, day: 27)!
        if rng.nextUnit() < 0.18 {
            for _ in 0..<(1 + Int(rng.next() % 2)) {
                let date = session(near: randomDate(max(2002, security.listDate.year + 1), min(2026, end.year), &rng))
                guard date > security.listDate, date <= end else { continue }
                let ratio: (Double, Double) = [(1, 2), (1, 3), (1, 4), (2, 3), (10, 1)][Int(rng.next() % 5)]
                security.splits.append(.init(date: date, from: ratio.0, to: ratio.1))
            }
            security.splits.sort { $0.date < $1.date }
            security.splits = security.splits.reduce(into: []) { if $0.last?.date != $1.date { $0.append($1) } }
        }
        if rng.nextUnit() < 0.4 {
            security.dividendDates = quarterly(from: security.listDate.adding(days: 120), rng: &rng)
                .filter { $0 <= end }
        }
    }

    private func quarterly(from start: LocalDate, rng: inout SplitMix64) -> [LocalDate] {
        var dates: [LocalDate] = []
        var date = start
        while date <= LocalDate(year: 2026, month: 12, day: 31)! {
            dates.append(session(near: date))
            date = date.adding(days: 91)
        }
        return dates
    }

    /// The first session on or after `date`.
    func session(near date: LocalDate) -> LocalDate {
        var day = max(date, Self.firstDate)
        while !calendar.isSession(day), day < Self.lastDate { day = day.adding(days: 1) }
        return day
    }

    private func randomDate(_ fromYear: Int, _ toYear: Int, _ rng: inout SplitMix64) -> LocalDate {
        let first = LocalDate(year: fromYear, month: 1, day: 1)!.daysSinceEpoch
        let last = LocalDate(year: max(fromYear, toYear), month: 12, day: 31)!.daysSinceEpoch
        return LocalDate(daysSinceEpoch: first + Int(rng.next() % UInt64(last - first + 1)))
    }

    private mutating func freshTicker(rng: inout SplitMix64) -> String {
        while true {
            let length = 3 + Int(rng.next() % 2)
            let letters = (0..<length).map { _ in Character(UnicodeScalar(UInt8(65 + rng.next() % 26))) }
            let ticker = String(letters)
            if !used.contains(ticker) { return ticker }
        }
    }

    private func figi(_ rng: inout SplitMix64) -> String {
        let alphabet = Array("BCDFGHJKLMNPQRSTVWXYZ0123456789")
        return "BBG" + String((0..<9).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
    }

    private func format6(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 10 - text.count)) + text
    }
}
