import BackfillCore
import Foundation
import Storage
import Synchronization

/// The indicator engines of every symbol a flat-file run touches, for one timeframe.
///
/// Saved states are read once per run in one query (``TaskStore/indicatorStates(timeframe:)``) and
/// decoded the first time a symbol appears; afterwards the engine stays in memory from day to day.
/// A day's updates are kept apart until its transaction commits (``commit()``), and dropped if it
/// rolls back (``discard()``), so an engine never holds bars the store does not.
final class IndicatorBook: Sendable {
    private struct State {
        var saved: [String: SavedIndicatorState]
        var engines: [String: IndicatorEngine] = [:]
        var working: [String: IndicatorEngine] = [:]
        /// Symbols that received bars at or before their engine's last bar (older history), with the
        /// earliest such bar: their indicators are recomputed from the store after the run.
        var olderHistory: [String: Int64] = [:]
        var pendingOlder: [String: Int64] = [:]
    }

    let configuration: IndicatorEngine.Configuration
    private let state: Mutex<State>

    init(saved: [String: SavedIndicatorState], configuration: IndicatorEngine.Configuration = .init()) {
        self.configuration = configuration
        self.state = Mutex(State(saved: saved))
    }

    /// The symbol's engine as of the last committed day (restored, or fresh).
    func engine(for symbol: String) throws -> IndicatorEngine {
        if let engine = state.withLock({ $0.working[symbol] ?? $0.engines[symbol] }) { return engine }
        let saved = state.withLock { $0.saved.removeValue(forKey: symbol) }
        var engine = try IndicatorEngine(configuration: configuration)
        if let saved, let restored = try? IndicatorEngine(savedState: saved.state),
            restored.configuration == configuration
        {
            engine = restored
        }
        state.withLock { $0.engines[symbol] = engine }  // the committed state, whatever today brings
        return engine
    }

    /// Feeds one symbol's accepted bars (time order) and returns the state to save, or nil when the
    /// bars are older than what the engine has seen (then the symbol is recomputed after the run).
    func feed(_ symbol: String, timeframe: Timeframe, bars: [Bar]) throws -> IndicatorStateUpdate? {
        guard let first = bars.first else { return nil }
        var engine = try engine(for: symbol)
        if let last = engine.lastWindowStartMs, first.windowStartMs <= last {
            state.withLock { $0.pendingOlder[symbol] = min($0.pendingOlder[symbol] ?? .max, first.windowStartMs) }
            return nil
        }
        for bar in bars { _ = engine.update(bar) }
        let encoded = try engine.savedState()
        state.withLock { $0.working[symbol] = engine }
        return IndicatorStateUpdate(
            symbol: symbol, timeframe: timeframe, lastMs: engine.lastWindowStartMs ?? first.windowStartMs,
            state: encoded)
    }

    /// The day was stored: its engines become the current ones.
    func commit() {
        state.withLock { state in
            state.engines.merge(state.working) { $1 }
            state.working.removeAll(keepingCapacity: true)
            state.olderHistory.merge(state.pendingOlder) { min($0, $1) }
            state.pendingOlder.removeAll()
        }
    }

    /// The day was rolled back: forget what it fed.
    func discard() {
        state.withLock { state in
            state.working.removeAll(keepingCapacity: true)
            state.pendingOlder.removeAll()
        }
    }

    /// Symbols whose stored history grew before their indicator state, with the earliest new bar.
    var symbolsWithOlderHistory: [String: Int64] { state.withLock { $0.olderHistory } }
}
