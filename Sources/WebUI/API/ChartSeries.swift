import BackfillCore

/// One page of chart bars built from stored bars: resampled by the core ``Resampler`` (a stored
/// 1d bar is used as is), cut at `limit` bars, with where the next page starts. Pure: the caller
/// reads the store.
struct ChartSeries: Sendable, Equatable {
    var bars: [Bar]
    /// The `from` (ms, a stored bar's time) that continues after this page; nil when it is the last.
    var next: Int64?

    /// Builds a page from `source` (stored bars in time order).
    /// - Parameters:
    ///   - following: the time of the first stored bar in the requested range after `source`, when
    ///     the read stopped short; `source`'s last bucket may then be incomplete, so it starts the
    ///     next page instead of ending this one.
    ///   - limit: the most output bars.
    static func build(
        from source: [Bar], following: Int64?, timeframe: ChartTimeframe, extendedHours: Bool, limit: Int,
        calendar: TradingCalendar
    ) throws(CalendarError) -> ChartSeries {
        if timeframe == .day1 {
            guard source.count > limit else { return ChartSeries(bars: source, next: following) }
            return ChartSeries(bars: Array(source.prefix(limit)), next: source[limit].windowStartMs)
        }
        let truncated = following != nil
        var resampler = try Resampler(
            calendar: calendar,
            configuration: .init(interval: timeframe.interval, includeExtendedHours: extendedHours))
        var output: [Bar] = []
        output.reserveCapacity(min(limit + 1, source.count))
        // The stored time of the first source bar of each output bar, and of the open bucket:
        // a page boundary must fall between buckets so no bar is split across two pages.
        var starts: [Int64] = []
        var openStart: Int64?
        for bar in source {
            guard let input = timeframe == .week1 ? sessionBar(bar, calendar: calendar) : bar else { continue }
            switch resampler.consume(input) {
            case .absorbed:
                if openStart == nil { openStart = bar.windowStartMs }
            case .emitted(let finished):
                output.append(finished)
                starts.append(openStart ?? bar.windowStartMs)
                openStart = bar.windowStartMs
            case .ignored:
                continue
            }
            if output.count > limit { break }
        }
        if output.count <= limit,
            !truncated || output.isEmpty || Self.ends(resampler, before: following, timeframe, calendar),
            let last = resampler.flush()
        {
            output.append(last)
            starts.append(openStart ?? last.windowStartMs)
            openStart = nil
        }
        if output.count > limit {
            return ChartSeries(bars: Array(output.prefix(limit)), next: starts[limit])
        }
        return ChartSeries(bars: output, next: truncated ? openStart ?? following : nil)
    }

    /// Whether the open bucket is complete because the next stored bar (`following`) lies outside it.
    private static func ends(
        _ resampler: Resampler, before following: Int64?, _ timeframe: ChartTimeframe, _ calendar: TradingCalendar
    ) -> Bool {
        guard let following, let open = resampler.openBucket else { return false }
        let probe = Bar(windowStartMs: following, open: 0, high: 0, low: 0, close: 0, volume: 0)
        guard let placed = timeframe == .week1 ? sessionBar(probe, calendar: calendar) : probe else { return false }
        return !open.contains(placed.windowStartMs)
    }

    /// A stored daily bar (labelled midnight New York) placed at its session's open, where the
    /// resampler's session buckets look for it; nil when its date is not a session.
    static func sessionBar(_ bar: Bar, calendar: TradingCalendar) -> Bar? {
        guard let hours = calendar.session(on: EasternTime.date(containing: bar.windowStartMs)) else { return nil }
        var placed = bar
        placed.windowStartMs = hours.regularOpenMs
        return placed
    }
}
