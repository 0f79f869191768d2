import BackfillCore
import Storage

/// The outcome of a flat-file run.
public struct FlatFileReport: Sendable {
    public var status: BackfillReport.Status
    public var plan: FlatFilePlanner.Plan
    public var progress: BackfillProgress
    /// Bars stored per timeframe label (`1d`, `1m`).
    public var barsByTimeframe: [String: Int]
    public var changedByTimeframe: [String: Int]
    /// Day files that failed for good in this run: key and reason.
    public var failures: [BackfillFailure]
    /// Rows quarantined in this run (the first ``FlatFileRunner/reportedQuarantine``), with file, line and reason.
    public var quarantined: [QuarantineRecord]
    public var quarantinedCount: Int
    /// Wanted tickers found in none of the processed files.
    public var absentTickers: [String]

    /// One report for the REST part of the same run, for the summary and the `runs` record.
    public var asBackfillReport: BackfillReport {
        BackfillReport(
            status: status, tickers: [], progress: progress, barsByTimeframe: barsByTimeframe,
            changedByTimeframe: changedByTimeframe, failures: failures, alreadyCovered: plan.alreadyDone)
    }
}
