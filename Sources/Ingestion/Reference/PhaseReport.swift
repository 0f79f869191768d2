import BackfillCore
import Foundation
import Polygon
import Storage

/// What one metadata phase (reference, corporate actions, news) did, for the summary and the run record.
public struct PhaseReport: Sendable, Equatable {
    public var phase: BackfillPhase
    /// HTTP requests the phase sent (retries included).
    public var requests = 0
    /// Scopes (tickers, or the market) the phase fetched.
    public var fetched = 0
    /// Scopes already synced for this range: nothing was asked.
    public var skipped = 0
    /// Rows new or changed in the store (securities, actions, articles).
    public var changed = 0
    /// One line of phase-specific detail (merges, delistings, articles seen).
    public var detail = ""
    public var failures: [BackfillFailure] = []
    /// Set when the phase did not run (not in `--phases`, or not available for this request).
    public var skippedBecause: String?

    public init(phase: BackfillPhase) {
        self.phase = phase
    }

    static func notRun(_ phase: BackfillPhase, _ reason: String) -> PhaseReport {
        var report = PhaseReport(phase: phase)
        report.skippedBecause = reason
        return report
    }
}

/// The scopes of a phase, its request counter and its failures, shared by the three phases.
struct PhaseContext {
    let client: RESTClient
    let requestsAtStart: Int

    init(client: RESTClient) {
        self.client = client
        requestsAtStart = client.statistics.requests
    }

    var requests: Int { client.statistics.requests - requestsAtStart }

    /// A scope needs fetching unless its mark already reaches the range's last day.
    static func isSynced(_ mark: SyncMark?, through last: LocalDate) -> Bool {
        guard let mark else { return false }
        return mark.last >= last
    }

    /// Polygon answered that it does not know the ticker (404): a fact, not a failure.
    static func isNotFound(_ error: any Error) -> Bool {
        (error as? PolygonError)?.httpStatus == 404
    }

    /// The endpoint is not part of the key's plan (403) or not served (404): use another one.
    static func isUnavailable(_ error: any Error) -> Bool {
        let status = (error as? PolygonError)?.httpStatus
        return status == 403 || status == 404
    }
}
