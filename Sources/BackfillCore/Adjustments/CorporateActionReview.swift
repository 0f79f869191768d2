import Foundation

/// Checks splits and dividends before they become adjustment factors, rejecting the ones that would
/// corrupt prices and flagging the doubtful ones.
///
/// Splits: a non-positive ratio, a duplicate, conflicting ratios on one date, or closes that do not
/// jump by the ratio across the execution date are rejected. Dividends: a non-positive amount, a
/// duplicate, no known previous close, or an amount at least that close are rejected; a previous
/// close more than a week before the ex-date (a gap in the closes) is flagged.
public struct CorporateActionReview: Sendable, Equatable {
    /// An accepted action and its price factor for the days before it.
    public struct Accepted<Action: Sendable & Equatable>: Sendable, Equatable {
        /// The action as given.
        public var action: Action
        /// Price multiplier for days before the action (0 < factor, usually < 1).
        public var factor: Double
    }

    /// Splits to apply, oldest first.
    public private(set) var splits: [Accepted<Split>] = []
    /// Dividends to apply, oldest first.
    public private(set) var dividends: [Accepted<CashDividend>] = []
    /// Rejected and flagged actions with reasons.
    public private(set) var issues: [AdjustmentIssue] = []

    /// A jump counts when it is nearer the split ratio than no move at all, in log terms; ratios
    /// within this factor of 1 move less than a volatile day and are applied unverified.
    static let smallestVerifiableRatio = 1.25
    /// Closes further than this from the execution date (calendar days) do not verify a split, and a
    /// dividend's previous close older than this is flagged.
    static let verificationWindowDays = 7
    /// Splits with the same ratio this close together (calendar days) are taken for one event.
    static let duplicateWindowDays = 5

    /// Reviews the actions of one symbol.
    /// - Parameters:
    ///   - splits: splits in any order.
    ///   - dividends: cash dividends in any order.
    ///   - closes: raw regular-session closes in any order (any span; more verifies more).
    public init(splits: [Split], dividends: [CashDividend], closes: [SessionClose]) {
        let closes = closes.sorted { $0.date < $1.date }
        reviewSplits(splits.sorted { $0.executionDate < $1.executionDate }, closes: closes)
        reviewDividends(dividends.sorted { $0.exDividendDate < $1.exDividendDate }, closes: closes)
    }

    private mutating func reviewSplits(_ candidates: [Split], closes: [SessionClose]) {
        let byDate = Dictionary(grouping: candidates, by: \.executionDate)
        var kept: [Split] = []
        for split in candidates {
            guard Self.hasPositiveRatio(split) else {
                reject(split, .nonPositiveFactor, "split_from \(split.splitFrom), split_to \(split.splitTo)")
                continue
            }
            let sameDay = byDate[split.executionDate, default: []].filter(Self.hasPositiveRatio)
            if Set(sameDay.map(\.priceFactor)).count > 1 {
                reject(split, .conflictingSplits, "\(sameDay.count) ratios listed on \(split.executionDate)")
            } else if kept.contains(where: { $0.executionDate == split.executionDate }) {
                // Same date and (as no conflict) the same ratio, possibly written as 2:4 instead of 1:2.
                reject(split, .duplicateSplit, "listed again")
            } else if verify(split, closes: closes) {
                kept.append(split)
            }
        }
        dropProbableDuplicates(kept, closes: closes)
    }

    static func hasPositiveRatio(_ split: Split) -> Bool {
        split.splitFrom.isFinite && split.splitTo.isFinite && split.splitFrom > 0 && split.splitTo > 0
    }

    /// Checks the price jump; returns whether the split may be applied.
    private mutating func verify(_ split: Split, closes: [SessionClose]) -> Bool {
        let expected = abs(log(split.splitTo / split.splitFrom))
        guard let observed = Self.observedJump(around: split.executionDate, closes: closes) else { return true }
        if expected < log(Self.smallestVerifiableRatio) {
            issues.append(
                AdjustmentIssue(
                    action: .split(split), severity: .flagged, reason: .ratioTooSmallToVerify,
                    detail: "closes moved by a factor \(exp(observed))"))
            return true
        }
        guard abs(observed - log(split.splitTo / split.splitFrom)) < abs(observed) else {
            reject(split, .noPriceJump, "closes moved by a factor \(exp(observed)), split ratio \(exp(expected))")
            return false
        }
        return true
    }

    /// log(close before ÷ close on or after `date`), when both lie within the verification window.
    static func observedJump(around date: LocalDate, closes: [SessionClose]) -> Double? {
        let after = firstIndex(in: closes) { $0.date >= date }
        guard after > 0, after < closes.count else { return nil }
        let before = closes[after - 1]
        let on = closes[after]
        guard date.daysSinceEpoch - before.date.daysSinceEpoch <= verificationWindowDays,
            on.date.daysSinceEpoch - date.daysSinceEpoch <= verificationWindowDays,
            before.close > 0, on.close > 0
        else { return nil }
        return log(before.close / on.close)
    }

    /// Keeps the first of same-ratio splits a few days apart that no close could tell apart.
    private mutating func dropProbableDuplicates(_ kept: [Split], closes: [SessionClose]) {
        for split in kept {
            let earlier = splits.last(where: { accepted in
                accepted.action.priceFactor == split.priceFactor
                    && split.executionDate.daysSinceEpoch - accepted.action.executionDate.daysSinceEpoch
                        <= Self.duplicateWindowDays
            })
            if let earlier, Self.observedJump(around: split.executionDate, closes: closes) == nil {
                reject(split, .probableDuplicateSplit, "same ratio as \(earlier.action.executionDate)")
            } else {
                splits.append(Accepted(action: split, factor: split.priceFactor))
            }
        }
    }

    private mutating func reviewDividends(_ candidates: [CashDividend], closes: [SessionClose]) {
        for dividend in candidates {
            guard dividend.cashAmount.isFinite, dividend.cashAmount > 0 else {
                reject(dividend, .nonPositiveAmount, "cash_amount \(dividend.cashAmount)")
                continue
            }
            if dividends.contains(where: { $0.action == dividend }) {
                reject(dividend, .duplicateDividend, "listed again")
                continue
            }
            let index = Self.firstIndex(in: closes) { $0.date >= dividend.exDividendDate }
            guard index > 0 else {
                reject(dividend, .noPreviousClose, "no close before \(dividend.exDividendDate)")
                continue
            }
            let previous = closes[index - 1]
            guard dividend.cashAmount < previous.close else {
                reject(dividend, .dividendExceedsPrice, "previous close \(previous.close) on \(previous.date)")
                continue
            }
            if dividend.exDividendDate.daysSinceEpoch - previous.date.daysSinceEpoch > Self.verificationWindowDays {
                issues.append(
                    AdjustmentIssue(
                        action: .dividend(dividend), severity: .flagged, reason: .stalePreviousClose,
                        detail: "last close before the ex-date is from \(previous.date)"))
            }
            dividends.append(Accepted(action: dividend, factor: 1 - dividend.cashAmount / previous.close))
        }
    }

    /// The first index of `sorted` whose element satisfies `predicate`, for a predicate that is false
    /// then true along the array (binary search); `sorted.count` when none does.
    static func firstIndex<Element>(in sorted: [Element], where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if predicate(sorted[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    private mutating func reject(_ split: Split, _ reason: AdjustmentIssue.Reason, _ detail: String) {
        issues.append(AdjustmentIssue(action: .split(split), severity: .rejected, reason: reason, detail: detail))
    }

    private mutating func reject(_ dividend: CashDividend, _ reason: AdjustmentIssue.Reason, _ detail: String) {
        issues.append(
            AdjustmentIssue(action: .dividend(dividend), severity: .rejected, reason: reason, detail: detail))
    }
}
