/// The feed's market time: either the present (the sandbox's `nowMs`), or a replay of a fixed
/// past instant that advances `speed` times faster than real time from when the sandbox started.
struct ReplayClock: Sendable {
    /// The market instant the replay began at, ms UTC; nil for the present.
    let startMs: Int64?
    /// Market seconds per real second (replays only).
    let speed: Double
    let origin: ContinuousClock.Instant
    let nowMs: @Sendable () -> Int64

    init(startMs: Int64?, speed: Double, nowMs: @escaping @Sendable () -> Int64) {
        self.startMs = startMs
        self.speed = startMs == nil ? 1 : max(speed, 0.001)
        self.origin = .now
        self.nowMs = nowMs
    }

    /// The market's current instant, ms UTC.
    func marketNowMs() -> Int64 {
        guard let startMs else { return nowMs() }
        let elapsed = ContinuousClock.now - origin
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return startMs + Int64((seconds * 1_000 * speed).rounded(.down))
    }

    /// Real time until the market reaches `targetMs` (zero if it already has).
    func realDelay(untilMarketMs targetMs: Int64) -> Duration {
        let ahead = targetMs - marketNowMs()
        guard ahead > 0 else { return .zero }
        return .microseconds(Int64((Double(ahead) * 1_000 / speed).rounded(.up)))
    }
}
