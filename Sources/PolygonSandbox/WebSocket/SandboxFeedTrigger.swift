import BackfillCore
import Synchronization

/// Sends `AM` frames on demand, beside the replay clock: a test or benchmark asks every open feed
/// connection to send one minute's bars now, as one frame holding every subscribed ticker (a
/// wildcard brings in the configured universe), the way Polygon batches a minute.
///
/// Two uses the clock cannot give: a late re-broadcast of a minute already sent (Polygon re-sends a
/// minute bar when late trades arrive, for up to 15 minutes), and a whole-market burst at a known
/// instant. ``sentAt`` records when each frame was handed to the socket, so a benchmark can time
/// from the first byte sent.
public final class SandboxFeedTrigger: Sendable {
    /// One on-demand minute.
    public struct Request: Sendable, Equatable {
        /// Start of the minute, ms UTC.
        public var minuteStartMs: Int64
        /// Shares added to each bar, as late trades at the close would (0 sends the bar as first sent).
        public var lateVolume: Double
        /// Tickers the synthetic market does not know get a stand-in bar (a known ticker's bar of the
        /// same minute, prices scaled) instead of nothing: a whole market of symbols from 300 securities.
        public var standIns: Bool

        public init(minuteStartMs: Int64, lateVolume: Double = 0, standIns: Bool = false) {
            self.minuteStartMs = minuteStartMs
            self.lateVolume = lateVolume
            self.standIns = standIns
        }
    }

    private struct State {
        var connections: [Int: (AsyncStream<Request>.Continuation, FeedSession)] = [:]
        var nextID = 0
        var sent: [(ContinuousClock.Instant, Int)] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Asks every open connection to send `request`'s frame now.
    /// - Returns: how many connections were asked.
    @discardableResult
    public func send(_ request: Request) -> Int {
        state.withLock { state in
            for (continuation, _) in state.connections.values { continuation.yield(request) }
            return state.connections.count
        }
    }

    /// Open connections that are listening (authenticated or not).
    public var connections: Int { state.withLock { $0.connections.count } }

    /// The most minute-bar tickers any open connection is subscribed to (a wildcard counts the
    /// universe): wait for it before sending, since a frame goes only to subscribed tickers.
    public var subscribedMinuteSymbols: Int {
        state.withLock { $0.connections.values.map { $0.1.symbols(on: .minuteBars).count }.max() ?? 0 }
    }

    /// When each triggered frame was handed to its socket, and how many events it held, oldest first.
    public var sentAt: [(instant: ContinuousClock.Instant, events: Int)] {
        state.withLock { $0.sent.map { (instant: $0.0, events: $0.1) } }
    }

    /// Registers a connection; the stream ends when ``unregister(_:)`` is called.
    func register(_ session: FeedSession) -> (id: Int, requests: AsyncStream<Request>) {
        let (stream, continuation) = AsyncStream.makeStream(of: Request.self)
        let id = state.withLock { state in
            state.nextID += 1
            state.connections[state.nextID] = (continuation, session)
            return state.nextID
        }
        return (id, stream)
    }

    func unregister(_ id: Int) {
        state.withLock { $0.connections.removeValue(forKey: id) }?.0.finish()
    }

    func recordSent(_ instant: ContinuousClock.Instant, events: Int) {
        state.withLock { $0.sent.append((instant, events)) }
    }
}

/// Builds the frames a ``SandboxFeedTrigger`` asks for, for one connection.
struct TriggeredFrames {
    let session: FeedSession
    private var tapes: TapeCache

    init(market: SyntheticMarket, session: FeedSession) {
        self.session = session
        self.tapes = TapeCache(market: market)
    }

    /// The `AM` frame of `request` for the connection's subscribed tickers, and its event count;
    /// nil when no subscribed ticker traded that minute.
    mutating func frame(for request: SandboxFeedTrigger.Request) -> (text: String, events: Int)? {
        var frame = FeedFrameWriter()
        var events = 0
        for symbol in session.symbols(on: .minuteBars) {
            guard var minute = minute(symbol, request) else { continue }
            minute.bar.volume += request.lateVolume
            minute.accumulatedVolume += request.lateVolume
            let day = DayContext(
                accumulatedVolume: minute.accumulatedVolume, dayVWAP: minute.dayVWAP, officialOpen: minute.officialOpen)
            frame.aggregate("AM", symbol, minute.bar, lengthMs: 60_000, day: day)
            events += 1
        }
        return events == 0 ? nil : (frame.text, events)
    }

    private mutating func minute(_ symbol: String, _ request: SandboxFeedTrigger.Request) -> DayTape.Minute? {
        if let minute = tapes.minute(symbol, startingAt: request.minuteStartMs) { return minute }
        guard request.standIns else { return nil }
        let known = SandboxFeed.Configuration.defaultUniverse
        let hash = SplitMix64.stableHash(symbol)
        guard var minute = tapes.minute(known[Int(hash % UInt64(known.count))], startingAt: request.minuteStartMs)
        else { return nil }
        let scale = 0.25 + Double((hash >> 8) % 400) / 100
        let round4 = SecondBars.round4
        minute.bar.open = round4(minute.bar.open * scale)
        minute.bar.high = round4(minute.bar.high * scale)
        minute.bar.low = round4(minute.bar.low * scale)
        minute.bar.close = round4(minute.bar.close * scale)
        minute.bar.vwap = minute.bar.vwap.map { min(max(round4($0 * scale), minute.bar.low), minute.bar.high) }
        minute.dayVWAP = round4(minute.dayVWAP * scale)
        minute.officialOpen = minute.officialOpen.map { round4($0 * scale) }
        return minute
    }
}
