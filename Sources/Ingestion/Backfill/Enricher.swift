import BackfillCore
import Foundation
import Storage

/// Runs the indicator engine over each symbol's stored bars in time order and saves its state, so
/// live ingestion (and the next backfill) continues from it instead of recomputing history.
///
/// Incremental: only bars after the saved state's last bar are fed, unless this run stored bars at
/// or before it (an extended history), in which case the symbol starts over from its first bar.
public struct Enricher: Sendable {
    public let store: any BarStore
    public let configuration: IndicatorEngine.Configuration
    /// Bars read per query.
    public static let page = 50_000

    public init(store: any BarStore, configuration: IndicatorEngine.Configuration = .init()) {
        self.store = store
        self.configuration = configuration
    }

    /// - Parameter earliestWrittenMs: the earliest bar time this run stored for the symbol, if any.
    /// - Returns: bars fed to the engine.
    @discardableResult
    public func enrich(symbol: String, timeframe: Timeframe, earliestWrittenMs: Int64?) async throws -> Int {
        var engine = try IndicatorEngine(configuration: configuration)
        var fromMs: Int64 = .min
        if let saved = try await store.indicatorState(symbol: symbol, timeframe: timeframe),
            let restored = try? IndicatorEngine(savedState: saved.state),
            restored.configuration == configuration, earliestWrittenMs.map({ $0 > saved.lastMs }) ?? true
        {
            engine = restored
            fromMs = saved.lastMs + 1
        }
        var fed = 0
        var lastMs: Int64?
        while true {
            let bars = try await store.bars(
                symbol: symbol, timeframe: timeframe, fromMs: fromMs, toMs: .max, limit: Self.page)
            for bar in bars { _ = engine.update(bar) }
            fed += bars.count
            guard let last = bars.last else { break }
            lastMs = last.windowStartMs
            fromMs = last.windowStartMs + 1
            if bars.count < Self.page { break }
        }
        if let lastMs {
            try await store.saveIndicatorState(
                symbol: symbol, timeframe: timeframe, lastMs: lastMs, state: try engine.savedState())
        }
        return fed
    }
}
