import Foundation

/// The phases of a backfill, run in this order; each can be skipped (`--phases`, `--skip-minute`,
/// `--skip-news`) and each resumes where it stopped.
public enum BackfillPhase: String, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Tickers with listing and delisting dates, and renames (ticker events / composite FIGI).
    case reference
    /// Splits and dividends.
    case actions
    /// Daily bars.
    case daily
    /// Minute bars.
    case minute
    /// News articles.
    case news

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses a comma-separated list such as `reference,daily`.
    /// - Throws: a message naming the unknown phase and listing the known ones.
    public static func parseList(_ text: String) throws(PhaseListError) -> Set<BackfillPhase> {
        var phases: Set<BackfillPhase> = []
        for part in text.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces).lowercased()
            guard !name.isEmpty else { continue }
            guard let phase = BackfillPhase(rawValue: name) else {
                throw PhaseListError(
                    message: "unknown phase '\(name)'; phases are \(allCases.map(\.rawValue).joined(separator: ","))")
            }
            phases.insert(phase)
        }
        if phases.isEmpty { throw PhaseListError(message: "--phases names no phase") }
        return phases
    }
}

public struct PhaseListError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
