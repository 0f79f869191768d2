import BackfillCore
import Foundation
import Logging
import Storage
import Synchronization

extension LivePipeline {
    /// Bars read per query when catching a restored state up.
    static let page = 50_000

    /// The symbol's track from its saved state, brought up to its last stored bar (bars a backfill or
    /// an earlier live run stored after the state was saved). Without a usable state the engine
    /// starts fresh: building history is the backfill enricher's job.
    func restore(_ symbol: String) async throws -> IndicatorTrack {
        guard let saved = try await store.indicatorState(symbol: symbol, timeframe: .minute),
            let engine = try? IndicatorEngine(savedState: saved.state),
            engine.configuration == freshEngine.configuration
        else {
            logger.debug("live: no saved indicator state for \(symbol); starting fresh")
            return IndicatorTrack(engine: freshEngine, horizonMs: horizonMs)
        }
        var track = IndicatorTrack(engine: engine, horizonMs: horizonMs)
        var fromMs = saved.lastMs + 1
        while true {
            let bars = try await store.bars(
                symbol: symbol, timeframe: .minute, fromMs: fromMs, toMs: .max, limit: Self.page)
            for bar in bars { _ = track.apply(bar) }
            guard let last = bars.last, bars.count == Self.page else { break }
            fromMs = last.windowStartMs + 1
        }
        track.baseChanged = false
        track.unsaved = false
        return track
    }

    /// Most states saved between two batches of bars, so that saving thousands of symbols'
    /// states (one transaction each) never holds the feed up for long; the rest follow next time.
    static let statesPerSave = 256

    /// Saves changed indicator states: periodically (`final` false) those whose base moved, a few
    /// hundred at a time; at stop (`final`) every track that took a bar since its last save.
    ///
    /// The state saved is the one before the revision horizon, with its last bar: a restart, or
    /// the next backfill's enricher, replays the stored bars after it, in their final versions.
    /// At stop, a track whose every bar is still inside the horizon saves its newest state instead.
    mutating func saveStates(final: Bool) async throws {
        let due = tracks.filter { final ? $0.value.unsaved : $0.value.baseChanged }.keys.sorted()
        let batch = final ? due[...] : due.prefix(Self.statesPerSave)
        var saved = 0
        for symbol in batch {
            guard var track = tracks[symbol] else { continue }
            let engine = final && track.base.lastWindowStartMs == nil ? track.current : track.base
            if let lastMs = engine.lastWindowStartMs {
                try await store.saveIndicatorState(
                    symbol: symbol, timeframe: .minute, lastMs: lastMs, state: try engine.savedState())
                saved += 1
            }
            track.baseChanged = false
            if final { track.unsaved = false }
            tracks[symbol] = track
        }
        if batch.count == due.count { lastSave = .now }
        let count = saved
        ingestor.shared.withLock { $0.statesSaved += count }
    }
}
