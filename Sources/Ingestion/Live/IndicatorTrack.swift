import BackfillCore

/// One symbol's indicators on a live feed, where a minute can be revised after newer minutes.
///
/// Polygon re-sends a minute bar when late trades arrive, for up to 15 minutes. The engine only
/// moves forward, so the track keeps two engines: `base`, the state before the last
/// `horizonMs` of bars, and `current`, the state after the newest bar, with the bars between them.
/// A revised or late-filled minute inside the horizon replaces its bar and `current` is rebuilt
/// from `base` over those few bars, so the indicators equal a batch computation over the final
/// bars. A bar older than the horizon is stored but cannot move the indicators (``Update/late``).
struct IndicatorTrack: Sendable {
    /// What applying a bar did.
    enum Update: Sendable, Equatable {
        /// A new newest minute.
        case appended
        /// A minute inside the horizon replaced or filled; the indicators were recomputed.
        case revised
        /// A minute at or before the base state's last bar: stored, indicators unchanged.
        case late
    }

    private(set) var base: IndicatorEngine
    private(set) var current: IndicatorEngine
    /// Bars after `base`'s last, ascending, unique by start; `current` = `base` over them.
    private(set) var recent: [Bar] = []
    let horizonMs: Int64
    /// Whether `base` moved since its state was last saved.
    var baseChanged = false
    /// Whether any bar was applied since the state was last saved at stop.
    var unsaved = false

    init(engine: IndicatorEngine, horizonMs: Int64) {
        self.base = engine
        self.current = engine
        self.horizonMs = horizonMs
    }

    /// Applies `bar` and returns the indicator values at it (nil for a late bar) and the bar to
    /// store: a re-sent bar without a trade count keeps the count already known when its prices
    /// and volume are unchanged (the feed sends no `n`; REST does).
    mutating func apply(_ bar: Bar) -> (update: Update, values: IndicatorEngine.Values?, bar: Bar) {
        unsaved = true
        if current.lastWindowStartMs.map({ bar.windowStartMs > $0 }) ?? true {
            let values = current.update(bar)
            recent.append(bar)
            advanceBase(newestMs: bar.windowStartMs)
            return (.appended, values, bar)
        }
        guard base.lastWindowStartMs.map({ bar.windowStartMs > $0 }) ?? true else { return (.late, nil, bar) }
        var stored = bar
        let index = insertionIndex(of: bar.windowStartMs)
        if index < recent.count, recent[index].windowStartMs == bar.windowStartMs {
            if bar.transactions == nil, recent[index].sameValues(as: bar) {
                stored.transactions = recent[index].transactions
            }
            recent[index] = stored
        } else {
            recent.insert(stored, at: index)
        }
        current = base
        var values: IndicatorEngine.Values?
        for (offset, recentBar) in recent.enumerated() {
            let step = current.update(recentBar)
            if offset == index { values = step }
        }
        return (.revised, values, stored)
    }

    /// The index of the first recent bar starting at or after `startMs` (binary search).
    private func insertionIndex(of startMs: Int64) -> Int {
        var low = 0, high = recent.count
        while low < high {
            let middle = (low + high) / 2
            if recent[middle].windowStartMs < startMs { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Moves bars older than the horizon (relative to the newest) from `recent` into `base`.
    private mutating func advanceBase(newestMs: Int64) {
        var moved = 0
        while moved < recent.count, newestMs - recent[moved].windowStartMs > horizonMs {
            _ = base.update(recent[moved])
            moved += 1
        }
        if moved > 0 {
            recent.removeFirst(moved)
            baseChanged = true
        }
    }
}

extension Bar {
    /// Same prices, volume and VWAP (the trade count aside).
    func sameValues(as other: Bar) -> Bool {
        open == other.open && high == other.high && low == other.low && close == other.close
            && volume == other.volume && vwap == other.vwap
    }
}
