import BackfillCore
import HummingbirdWebSocket

/// Sends one connection's data frames as the market clock passes each second (when second bars
/// or trades are subscribed) or minute: at a boundary B, the `A` bars and `T` trades of the
/// second ending at B, then, on a minute boundary, the `AM` bars of the minute ending at B —
/// one frame per kind holding every subscribed ticker, as Polygon batches them.
struct FeedStreamer {
    let feed: SandboxFeed
    let session: FeedSession
    let faults: [Fault]
    private var tapes: TapeCache
    /// Data frames sent so far, for the message-count faults.
    private(set) var sent = 0

    init(feed: SandboxFeed, session: FeedSession, faults: [Fault]) {
        self.feed = feed
        self.session = session
        self.faults = faults
        self.tapes = TapeCache(market: feed.market)
    }

    /// Streams until cancelled, or until a drop or stall fault ends the connection.
    mutating func run(_ outbound: WebSocketOutboundWriter) async throws -> SandboxFeed.Ending {
        var cursor = feed.clock.marketNowMs()
        while true {
            let wake = nextBoundary(after: cursor)
            try await Task.sleep(for: max(feed.clock.realDelay(untilMarketMs: wake), .microseconds(500)))
            let now = feed.clock.marketNowMs()
            // The step is re-read at every boundary: a late wake-up must not skip the seconds of
            // a second-bar subscription that arrived while the streamer slept a minute-long step.
            while case let boundary = nextBoundary(after: cursor), boundary <= now {
                for frame in frames(at: boundary) {
                    try await outbound.write(.text(frame))
                    sent += 1
                    if let ending = faultEnding() { return ending }
                }
                cursor = boundary
            }
        }
    }

    /// The next boundary after `cursorMs` that has frames to publish: each second while second
    /// bars or trades are subscribed, else each minute.
    private func nextBoundary(after cursorMs: Int64) -> Int64 {
        let step: Int64 = session.wantsSeconds ? 1_000 : 60_000
        return (cursorMs / step + 1) * step
    }

    /// How the connection ends once a message-count fault's count is reached; nil until then.
    private func faultEnding() -> SandboxFeed.Ending? {
        for fault in faults {
            switch fault {
            case .webSocketDrop(let count) where sent >= count: return .close
            case .webSocketStall(let count, let seconds) where sent >= count: return .stall(seconds: seconds)
            default: continue
            }
        }
        return nil
    }

    /// The data frames published when the market clock reaches `boundaryMs` (ms UTC).
    mutating func frames(at boundaryMs: Int64) -> [String] {
        var frames: [String] = []
        let seconds = session.symbols(on: .secondBars), trades = session.symbols(on: .trades)
        if !seconds.isEmpty || !trades.isEmpty {
            var aggregates = FeedFrameWriter(), prints = FeedFrameWriter()
            for symbol in Set(seconds + trades).sorted() {
                guard let (second, day) = second(symbol, endingAt: boundaryMs) else { continue }
                if seconds.contains(symbol) { aggregates.aggregate("A", symbol, second, lengthMs: 1_000, day: day) }
                if trades.contains(symbol) {
                    for trade in feed.splitter.trades(of: second, symbol: symbol) { prints.trade(trade) }
                }
            }
            frames += [aggregates, prints].filter { !$0.isEmpty }.map(\.text)
        }
        if boundaryMs % 60_000 == 0, let minuteFrame = minuteFrame(endingAt: boundaryMs) {
            frames.append(minuteFrame)
        }
        return frames
    }

    private mutating func minuteFrame(endingAt boundaryMs: Int64) -> String? {
        var frame = FeedFrameWriter()
        for symbol in session.symbols(on: .minuteBars) {
            guard let minute = tapes.minute(symbol, startingAt: boundaryMs - 60_000) else { continue }
            let day = DayContext(
                accumulatedVolume: minute.accumulatedVolume, dayVWAP: minute.dayVWAP, officialOpen: minute.officialOpen)
            frame.aggregate("AM", symbol, minute.bar, lengthMs: 60_000, day: day)
        }
        return frame.isEmpty ? nil : frame.text
    }

    /// The second bar of `symbol` ending at `boundaryMs`, with the day's running figures through it.
    private mutating func second(_ symbol: String, endingAt boundaryMs: Int64) -> (Bar, DayContext)? {
        let start = boundaryMs - 1_000
        let minuteStart = start - ((start % 60_000) + 60_000) % 60_000
        guard let minute = tapes.minute(symbol, startingAt: minuteStart) else { return nil }
        let bars = feed.splitter.seconds(of: minute.bar, symbol: symbol)
        guard let index = bars.firstIndex(where: { $0.windowStartMs == start }) else { return nil }
        var volume = minute.volumeBefore, notional = minute.notionalBefore
        for bar in bars[...index] {
            volume += bar.volume
            notional += (bar.vwap ?? bar.close) * bar.volume
        }
        let day = DayContext(
            accumulatedVolume: volume, dayVWAP: SecondBars.round4(notional / volume), officialOpen: minute.officialOpen)
        return (bars[index], day)
    }
}
