import BackfillCore
import Testing

@Suite("Bar validation and quarantine")
struct ValidationTests {
    static let calendar = ResamplingTestData.calendar
    static let open = ResamplerTests.utc("2024-12-02", 14, 30)

    static func bar(
        _ ms: Int64 = open, open: Double = 10, high: Double = 11, low: Double = 9, close: Double = 10.5,
        volume: Double = 100, vwap: Double? = 10.2, trades: Int64? = 5
    ) -> Bar {
        Bar(
            windowStartMs: ms, open: open, high: high, low: low, close: close, volume: volume, vwap: vwap,
            transactions: trades)
    }

    static func reason(_ verdict: BarValidator.Verdict) -> QuarantinedBar.Reason? {
        if case .quarantined(let bad) = verdict { return bad.reason }
        return nil
    }

    @Test(
        "each bad value has its reason",
        arguments: [
            (bar(high: 10.4), QuarantinedBar.Reason.highBelowOpenOrClose),
            (bar(low: 10.1), .lowAboveOpenOrClose),
            (bar(open: 0, low: 0), .nonPositivePrice),
            (bar(low: -1), .nonPositivePrice),
            (bar(vwap: -3), .nonPositivePrice),
            (bar(volume: -1), .negativeVolume),
            (bar(trades: -2), .negativeTradeCount),
            (bar(high: .nan), .nonFiniteValue),
            (bar(volume: .infinity), .nonFiniteValue),
        ])
    func badValues(_ bad: Bar, _ expected: QuarantinedBar.Reason) {
        var validator = BarValidator(calendar: Self.calendar)
        let verdict = validator.validate(bad)
        #expect(Self.reason(verdict) == expected)
        if case .quarantined(let quarantined) = verdict {
            #expect(quarantined.bar.windowStartMs == bad.windowStartMs && quarantined.bar.open == bad.open)
            #expect(quarantined.message.contains("2024-12-02T14:30:00Z"))
        }
    }

    @Test("a good bar, a flat bar and a bar without VWAP or trades are accepted")
    func goodBars() {
        var validator = BarValidator(calendar: Self.calendar)
        #expect(validator.validate(Self.bar()) == .accepted)
        #expect(
            validator.validate(Self.bar(Self.open + 60_000, open: 5, high: 5, low: 5, close: 5, volume: 0)) == .accepted
        )
        #expect(validator.validate(Self.bar(Self.open + 120_000, vwap: nil, trades: nil)) == .accepted)
    }

    @Test(
        "timestamps must fall in a session",
        arguments: [
            (ResamplerTests.utc("2024-12-02", 9, 0), SessionScope.extended, true),  // 04:00 New York
            (ResamplerTests.utc("2024-12-02", 8, 59), .extended, false),
            (ResamplerTests.utc("2024-12-02", 14, 29), .regular, false),
            (ResamplerTests.utc("2024-12-03", 0, 59), .extended, true),  // 19:59 New York
            (ResamplerTests.utc("2024-11-29", 18, 0), .regular, false),  // after an early close
            (ResamplerTests.utc("2024-11-29", 21, 59), .extended, true),
            (ResamplerTests.utc("2024-11-29", 22, 0), .extended, false),
            (ResamplerTests.utc("2024-12-25", 15, 0), .extended, false),  // Christmas
        ])
    func sessionMembership(_ ms: Int64, _ scope: SessionScope, _ inside: Bool) {
        var validator = BarValidator(calendar: Self.calendar, configuration: .init(scope: scope))
        let verdict = validator.validate(Self.bar(ms))
        #expect((verdict == .accepted) == inside)
        if !inside { #expect(Self.reason(verdict) == .outsideSession) }
    }

    @Test("daily bars are dated by New York midnight on a session")
    func dailyBars() {
        var validator = BarValidator(calendar: Self.calendar, configuration: .init(timeframe: .day))
        #expect(validator.validate(Self.bar(ResamplerTests.utc("2024-12-02", 5, 0))) == .accepted)
        #expect(Self.reason(validator.validate(Self.bar(ResamplerTests.utc("2024-12-25", 5, 0)))) == .outsideSession)
    }

    @Test("duplicates and steps back are quarantined; only accepted bars move the cursor")
    func ordering() {
        var validator = BarValidator(calendar: Self.calendar)
        let bars = [
            Self.bar(Self.open + 60_000),
            Self.bar(Self.open + 60_000),
            Self.bar(Self.open),
            Self.bar(Self.open + 120_000, high: 1),
            Self.bar(Self.open + 120_000),
        ]
        let result = validator.partition(bars)
        #expect(result.accepted == [bars[0], bars[4]])
        #expect(result.quarantined.map(\.reason) == [.duplicateTimestamp, .outOfOrder, .highBelowOpenOrClose])
        #expect(result.accepted.count + result.quarantined.count == bars.count)
    }

    @Test("synthetic extended-hours minutes are all accepted")
    func syntheticDataIsValid() {
        let minutes = ResamplingTestData.minuteBars(from: "2024-11-25", to: "2024-12-06", dropEvery: 3)
        var validator = BarValidator(calendar: Self.calendar)
        let result = validator.partition(minutes)
        #expect(result.quarantined.isEmpty)
        #expect(result.accepted.count == minutes.count)
    }
}
