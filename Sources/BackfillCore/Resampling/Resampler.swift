/// Turns a time-ordered stream of one symbol's bars (usually 1-minute) into wider bars aligned to
/// the exchange's sessions: a state machine with one open bucket.
///
/// Feed bars with `consume(_:)`; a finished bar comes out when a bar of a later bucket arrives,
/// when `advance(toUtcMilliseconds:)` passes the bucket's end, or at `flush()`. The batch API
/// `resample(_:calendar:configuration:)` is a fold over the same calls, so there is one
/// implementation. Any input width works as long as its grid refines the output's (1m → 5m → 15m
/// gives exactly what 1m → 15m gives).
///
/// Buckets (see `SessionBuckets`): n-minute buckets start at the 09:30 open and end at the close
/// at the latest, so early closes end buckets early; with extended hours the pre-market runs the
/// same grid backwards from the open (first bucket cut at 04:00) and the post-market starts a grid
/// at the close. Daily bars cover the regular session (04:00–20:00 with extended hours) and carry
/// midnight New York as their time, as Polygon's daily bars do; weekly bars cover the sessions of
/// one Monday-to-Sunday week. Bars outside the included hours are ignored and reported.
public struct Resampler: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// The width of the output bars.
        public var interval: ResampleInterval
        /// Whether pre-market (from 04:00) and post-market (to 20:00, 17:00 on early closes) bars
        /// are aggregated; when false only the regular session (09:30–16:00) is.
        public var includeExtendedHours: Bool

        public init(interval: ResampleInterval, includeExtendedHours: Bool = false) {
            self.interval = interval
            self.includeExtendedHours = includeExtendedHours
        }
    }

    /// What happened to one input bar.
    public enum Action: Sendable, Equatable {
        /// The bar joined the open bucket (or opened the first one); nothing finished.
        case absorbed
        /// The bar opened a new bucket and the previous one is finished: here it is.
        case emitted(Bar)
        /// The bar was not aggregated, for the reason given.
        case ignored(IgnoredReason)
    }

    public enum IgnoredReason: Sendable, Hashable {
        /// Outside every session's included hours (a holiday, the night, or extended hours when
        /// they are excluded).
        case outsideSessionHours
        /// Starts at or before the previous accepted bar (a duplicate or a late bar).
        case outOfOrder
    }

    public let configuration: Configuration
    private let buckets: SessionBuckets
    private var open: (placement: BucketPlacement, accumulator: BarAccumulator)?
    private var lastStartMs = Int64.min

    /// - Throws: `CalendarError.Code.unsupportedTimeframe` when an n-minute interval is not in
    ///   1...`ResampleInterval.maximumMinutes`.
    public init(calendar: TradingCalendar, configuration: Configuration) throws(CalendarError) {
        if case .minutes(let n) = configuration.interval, !(1...ResampleInterval.maximumMinutes).contains(n) {
            throw CalendarError(
                .unsupportedTimeframe,
                "a resampling interval needs 1 to \(ResampleInterval.maximumMinutes) minutes, got \(n)")
        }
        self.configuration = configuration
        self.buckets = SessionBuckets(
            calendar: calendar, interval: configuration.interval,
            includeExtendedHours: configuration.includeExtendedHours)
    }

    /// Adds one bar; returns the bucket it finished, if any.
    public mutating func consume(_ bar: Bar) -> Action {
        let ms = bar.windowStartMs
        guard ms > lastStartMs else { return .ignored(.outOfOrder) }
        if let current = open, ms >= current.placement.segmentStartMs, ms < current.placement.segmentEndMs {
            lastStartMs = ms
            open?.accumulator.add(bar)
            return .absorbed
        }
        return consumeSlowly(bar)
    }

    /// The path for a bar outside the open bucket's current segment: ask the calendar.
    private mutating func consumeSlowly(_ bar: Bar) -> Action {
        guard let placement = buckets.placement(of: bar.windowStartMs) else { return .ignored(.outsideSessionHours) }
        lastStartMs = bar.windowStartMs
        guard let current = open else {
            open = (placement, BarAccumulator(bar))
            return .absorbed
        }
        if placement.startMs == current.placement.startMs {
            open?.placement = placement
            open?.accumulator.add(bar)
            return .absorbed
        }
        open = (placement, BarAccumulator(bar))
        return .emitted(current.accumulator.bar(windowStartMs: current.placement.labelMs))
    }

    /// Finishes the open bucket if it ends at or before `now`; for live streams, where the next bar
    /// may never come (the close, a halt).
    /// - Parameter now: the current instant, milliseconds since the Unix epoch (UTC).
    public mutating func advance(toUtcMilliseconds now: Int64) -> Bar? {
        guard let current = open, current.placement.endMs <= now else { return nil }
        return flush()
    }

    /// Finishes the open bucket, whatever its end; call at the end of a batch.
    public mutating func flush() -> Bar? {
        guard let current = open else { return nil }
        open = nil
        return current.accumulator.bar(windowStartMs: current.placement.labelMs)
    }

    /// The bucket being filled, as `[startMs, endMs)` in UTC milliseconds, if any.
    public var openBucket: Range<Int64>? {
        open.map { $0.placement.startMs..<$0.placement.endMs }
    }
}

extension Resampler {
    /// Resamples time-ordered bars in one go: a fold over `consume(_:)` and `flush()`.
    /// Bars the streaming path would ignore (outside the included hours, out of order) are skipped.
    /// - Throws: `CalendarError.Code.unsupportedTimeframe` for an n-minute interval out of range.
    public static func resample(
        _ bars: [Bar], calendar: TradingCalendar, configuration: Configuration
    ) throws(CalendarError) -> [Bar] {
        var resampler = try Resampler(calendar: calendar, configuration: configuration)
        var output: [Bar] = []
        output.reserveCapacity(bars.count / 4 + 1)
        for bar in bars {
            if case .emitted(let finished) = resampler.consume(bar) { output.append(finished) }
        }
        if let last = resampler.flush() { output.append(last) }
        return output
    }
}
