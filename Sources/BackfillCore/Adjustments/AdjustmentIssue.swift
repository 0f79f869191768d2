/// A corporate action that the review rejected (left out of the factors) or flagged (applied, but
/// worth a look), with the reason.
public struct AdjustmentIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The action concerned.
    public enum Action: Sendable, Hashable, Codable {
        case split(Split)
        case dividend(CashDividend)
    }

    /// Whether the action was left out of the factors.
    public enum Severity: String, Sendable, Hashable, Codable {
        /// Not applied: using it would corrupt prices.
        case rejected
        /// Applied, but suspicious.
        case flagged
    }

    /// Why the action is suspicious.
    public enum Reason: String, Sendable, Hashable, Codable {
        /// The same split (date and ratio) is listed more than once; only the first is applied.
        case duplicateSplit
        /// The same ratio again within a few days, with no closes to tell which date is real.
        case probableDuplicateSplit
        /// Different ratios on one execution date; none is applied.
        case conflictingSplits
        /// `split_from` or `split_to` is not a positive number, so the factor would be ≤ 0 or undefined.
        case nonPositiveFactor
        /// The closes around the execution date do not move by the split ratio (provider bars may
        /// already be adjusted, or the split is wrong).
        case noPriceJump
        /// The ratio is too close to 1 to tell from a day's price move; applied unverified.
        case ratioTooSmallToVerify
        /// The same dividend (ex-date and amount) is listed more than once; only the first is applied.
        case duplicateDividend
        /// The amount is not a positive number.
        case nonPositiveAmount
        /// No close before the ex-date is known, so the factor cannot be computed.
        case noPreviousClose
        /// The amount is at least the previous close: the factor would be ≤ 0.
        case dividendExceedsPrice
        /// The last known close is more than a week before the ex-date; applied with that close.
        case stalePreviousClose
    }

    /// The split or dividend concerned, as given.
    public var action: Action
    /// Whether it was left out of the factors.
    public var severity: Severity
    /// The check it failed.
    public var reason: Reason
    /// Human-readable detail: the numbers that led to the decision.
    public var detail: String

    public init(action: Action, severity: Severity, reason: Reason, detail: String) {
        self.action = action
        self.severity = severity
        self.reason = reason
        self.detail = detail
    }

    public var description: String {
        switch action {
        case .split(let split):
            return
                "\(severity) split \(split.splitFrom):\(split.splitTo) on \(split.executionDate): \(reason) (\(detail))"
        case .dividend(let dividend):
            return "\(severity) dividend \(dividend.cashAmount) ex \(dividend.exDividendDate): \(reason) (\(detail))"
        }
    }
}
