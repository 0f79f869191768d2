/// A run of consecutive expected minutes with no bar, as UTC milliseconds.
public struct MinuteGap: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Start of the first missing minute (inclusive).
    public var startMs: Int64
    /// End of the last missing minute (exclusive).
    public var endMs: Int64

    public init(startMs: Int64, endMs: Int64) {
        self.startMs = startMs
        self.endMs = endMs
    }

    /// The number of missing minutes.
    public var minutes: Int { Int((endMs - startMs) / 60_000) }

    public var description: String {
        "\(CalendarCSV.iso8601(startMs))…\(CalendarCSV.iso8601(endMs)) (\(minutes) min)"
    }
}

/// Expected against received minute bars of one symbol in one session: the unit of the
/// completeness ledger.
public struct SessionCoverage: Sendable, Hashable, Codable {
    /// The ticker the bars belong to.
    public var symbol: String
    /// The session's New York date.
    public var date: LocalDate
    /// Whether regular or extended minutes were expected.
    public var scope: SessionScope
    /// Minutes in the session's scope (390 regular, 960 extended; 210 and 780 on early closes).
    public var expectedMinutes: Int
    /// Distinct expected minutes with at least one bar.
    public var receivedMinutes: Int
    /// The missing minutes as maximal runs, in time order.
    public var gaps: [MinuteGap]

    public init(
        symbol: String, date: LocalDate, scope: SessionScope, expectedMinutes: Int, receivedMinutes: Int,
        gaps: [MinuteGap]
    ) {
        self.symbol = symbol
        self.date = date
        self.scope = scope
        self.expectedMinutes = expectedMinutes
        self.receivedMinutes = receivedMinutes
        self.gaps = gaps
    }

    /// Received over expected, from 0 to 1 (1 when nothing is expected).
    public var completeness: Double {
        expectedMinutes == 0 ? 1 : Double(receivedMinutes) / Double(expectedMinutes)
    }

    public var isComplete: Bool { receivedMinutes == expectedMinutes }

    /// Received over expected across several sessions, from 0 to 1 (1 when nothing is expected).
    public static func completeness(of coverages: some Sequence<SessionCoverage>) -> Double {
        var expected = 0
        var received = 0
        for coverage in coverages {
            expected += coverage.expectedMinutes
            received += coverage.receivedMinutes
        }
        return expected == 0 ? 1 : Double(received) / Double(expected)
    }
}
