import Testing

@testable import BackfillCore

@Suite("Corporate action review")
struct AdjustmentReviewTests {
    static let date = AdjustmentFactorTests.date

    /// Closes of 100 before 2026-03-10 and `after` from it on.
    static func closes(after: Double) -> [SessionClose] {
        (1...20).map { day in
            let date = date("2026-03-01").adding(days: day)
            return SessionClose(date: date, close: date < Self.date("2026-03-10") ? 100 : after)
        }
    }

    static func reasons(_ factors: AdjustmentFactors) -> [AdjustmentIssue.Reason] {
        factors.issues.map(\.reason)
    }

    @Test func splitMatchingThePriceJumpIsApplied() {
        let split = Split(executionDate: Self.date("2026-03-10"), splitFrom: 1, splitTo: 2)
        let factors = AdjustmentFactors(splits: [split], dividends: [], closes: Self.closes(after: 51))
        #expect(factors.issues.isEmpty)
        #expect(factors.splitSteps.map(\.factor) == [0.5])
    }

    @Test func splitWithoutAPriceJumpIsRejected() {
        let split = Split(executionDate: Self.date("2026-03-10"), splitFrom: 1, splitTo: 2)
        let factors = AdjustmentFactors(splits: [split], dividends: [], closes: Self.closes(after: 98))
        #expect(Self.reasons(factors) == [.noPriceJump])
        #expect(factors.issues.first?.severity == .rejected)
        #expect(factors.splitSteps.isEmpty)
        // A reverse split must jump up, not down.
        let reverse = Split(executionDate: Self.date("2026-03-10"), splitFrom: 10, splitTo: 1)
        let reversed = AdjustmentFactors(splits: [reverse], dividends: [], closes: Self.closes(after: 50))
        #expect(Self.reasons(reversed) == [.noPriceJump])
        let good = AdjustmentFactors(splits: [reverse], dividends: [], closes: Self.closes(after: 1_010))
        #expect(good.issues.isEmpty)
    }

    @Test func smallRatioIsFlaggedButApplied() {
        let split = Split(executionDate: Self.date("2026-03-10"), splitFrom: 100, splitTo: 105)
        let factors = AdjustmentFactors(splits: [split], dividends: [], closes: Self.closes(after: 97))
        #expect(Self.reasons(factors) == [.ratioTooSmallToVerify])
        #expect(factors.issues.first?.severity == .flagged)
        #expect(factors.splitSteps.count == 1)
    }

    @Test func duplicateAndConflictingSplitsAreRejected() {
        let split = Split(executionDate: Self.date("2026-03-10"), splitFrom: 1, splitTo: 2)
        let duplicated = AdjustmentFactors(splits: [split, split], dividends: [], closes: [])
        #expect(Self.reasons(duplicated) == [.duplicateSplit])
        #expect(duplicated.splitSteps.count == 1)
        // The same ratio written differently is still the same split.
        let rewritten = Split(executionDate: Self.date("2026-03-10"), splitFrom: 2, splitTo: 4)
        let twice = AdjustmentFactors(splits: [split, rewritten], dividends: [], closes: [])
        #expect(Self.reasons(twice) == [.duplicateSplit])
        #expect(twice.priceFactor(on: Self.date("2026-03-09")) == 0.5)
        // A broken record on the same day neither conflicts with nor blocks the real one.
        let broken = Split(executionDate: Self.date("2026-03-10"), splitFrom: 0, splitTo: 2)
        let withBroken = AdjustmentFactors(splits: [broken, split], dividends: [], closes: [])
        #expect(Self.reasons(withBroken) == [.nonPositiveFactor])
        #expect(withBroken.splitSteps.count == 1)
        let other = Split(executionDate: Self.date("2026-03-10"), splitFrom: 1, splitTo: 3)
        let conflicting = AdjustmentFactors(splits: [split, other], dividends: [], closes: [])
        #expect(Self.reasons(conflicting) == [.conflictingSplits, .conflictingSplits])
        #expect(conflicting.splitSteps.isEmpty)
        let shifted = Split(executionDate: Self.date("2026-03-12"), splitFrom: 1, splitTo: 2)
        let nearby = AdjustmentFactors(splits: [shifted, split], dividends: [], closes: [])
        #expect(Self.reasons(nearby) == [.probableDuplicateSplit])
        #expect(nearby.splitSteps.map(\.date) == [Self.date("2026-03-10")])
    }

    @Test(arguments: [(0.0, 2.0), (1, 0), (-1, 2), (.nan, 2), (1, .infinity)])
    func nonPositiveSplitFactorIsRejected(from: Double, to: Double) {
        let split = Split(executionDate: Self.date("2026-03-10"), splitFrom: from, splitTo: to)
        let factors = AdjustmentFactors(splits: [split], dividends: [], closes: [])
        #expect(Self.reasons(factors) == [.nonPositiveFactor])
        #expect(factors.priceFactor(on: Self.date("2026-01-01")) == 1)
    }

    @Test func suspiciousDividendsAreRejected() {
        let closes = [SessionClose(date: Self.date("2026-03-06"), close: 2)]
        let exDate = Self.date("2026-03-09")
        let cases: [(CashDividend, AdjustmentIssue.Reason)] = [
            (CashDividend(exDividendDate: exDate, cashAmount: 2), .dividendExceedsPrice),
            (CashDividend(exDividendDate: exDate, cashAmount: 0), .nonPositiveAmount),
            (CashDividend(exDividendDate: exDate, cashAmount: -.infinity), .nonPositiveAmount),
            (CashDividend(exDividendDate: Self.date("2026-03-06"), cashAmount: 0.1), .noPreviousClose),
        ]
        for (dividend, reason) in cases {
            let factors = AdjustmentFactors(splits: [], dividends: [dividend], closes: closes)
            #expect(Self.reasons(factors) == [reason])
            #expect(factors.dividendSteps.isEmpty)
            #expect(factors.priceFactor(on: Self.date("2026-03-01")) > 0)
        }
        let regular = CashDividend(exDividendDate: exDate, cashAmount: 0.1)
        let duplicated = AdjustmentFactors(splits: [], dividends: [regular, regular], closes: closes)
        #expect(Self.reasons(duplicated) == [.duplicateDividend])
        #expect(duplicated.dividendSteps.map(\.factor) == [0.95])
        // A special dividend on the same day with another amount is a real second payment.
        let special = CashDividend(exDividendDate: exDate, cashAmount: 0.5)
        let both = AdjustmentFactors(splits: [], dividends: [regular, special], closes: closes)
        #expect(both.issues.isEmpty)
        #expect(both.priceFactor(on: Self.date("2026-03-06")) == 0.95 * 0.75)
    }

    @Test func dividendWithAStalePreviousCloseIsFlaggedButApplied() {
        let closes = [SessionClose(date: Self.date("2026-01-02"), close: 20)]
        let dividend = CashDividend(exDividendDate: Self.date("2026-03-09"), cashAmount: 0.2)
        let factors = AdjustmentFactors(splits: [], dividends: [dividend], closes: closes)
        #expect(Self.reasons(factors) == [.stalePreviousClose])
        #expect(factors.issues.first?.severity == .flagged)
        #expect(factors.dividendSteps.map(\.factor) == [0.99])
    }

    @Test func issuesDescribeTheAction() {
        let split = Split(executionDate: Self.date("2026-03-10"), splitFrom: 1, splitTo: 2)
        let factors = AdjustmentFactors(splits: [split], dividends: [], closes: Self.closes(after: 99))
        let text = factors.issues.first?.description ?? ""
        #expect(text.contains("rejected split 1.0:2.0 on 2026-03-10: noPriceJump"))
    }
}
