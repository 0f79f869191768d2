/// The stretch of minute bars a live feed may have missed while it was disconnected, for the
/// pipeline to fill from REST.
///
/// `lastBeforeMs` is the start of the last minute bar received before the connection dropped and
/// `firstAfterMs` the start of the first newer minute bar received after it came back. Minutes
/// strictly between them were missed outright. The two boundary minutes were received, but only
/// for the symbols whose bars arrived (a drop can fall between two frames of the same minute), so
/// a refill that wants to be safe takes `lastBeforeMs...firstAfterMs` inclusive — stores upsert,
/// so re-reading a boundary minute costs nothing.
public struct FeedGap: Sendable, Equatable, CustomStringConvertible {
    /// Start of the last minute bar before the drop, ms since the Unix epoch (UTC).
    public var lastBeforeMs: Int64
    /// Start of the first newer minute bar after the reconnect, ms since the Unix epoch (UTC).
    public var firstAfterMs: Int64
    /// Connections lost between the two bars (more than one when a reconnect failed or dropped
    /// again before a bar arrived).
    public var disconnections: Int
    /// The topics subscribed when the gap closed: what to refill.
    public var topics: [FeedTopic]

    public init(lastBeforeMs: Int64, firstAfterMs: Int64, disconnections: Int, topics: [FeedTopic]) {
        self.lastBeforeMs = lastBeforeMs
        self.firstAfterMs = firstAfterMs
        self.disconnections = disconnections
        self.topics = topics
    }

    /// Length of one minute bar, ms.
    public static let minuteMs: Int64 = 60_000

    /// Starts of the minutes missed outright (strictly between the two bars), ms UTC; empty when
    /// the feed came back within the same or the next minute.
    public var missedMinuteStarts: StrideTo<Int64> {
        stride(from: lastBeforeMs + FeedGap.minuteMs, to: firstAfterMs, by: Int(FeedGap.minuteMs))
    }

    /// How many minutes were missed outright.
    public var missedMinutes: Int {
        max(0, Int((firstAfterMs - lastBeforeMs) / FeedGap.minuteMs) - 1)
    }

    public var description: String {
        "feed gap: \(missedMinutes) minute(s) missed between bars at \(lastBeforeMs) and \(firstAfterMs) ms "
            + "(\(disconnections) disconnection(s))"
    }
}
