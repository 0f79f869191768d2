import BackfillCore
import Synchronization

/// Decides which faults a request gets: first any scripted ones (exactly N times, for tests that
/// need a precise sequence), then random ones at configured rates from a seeded generator.
public final class FaultInjector: Sendable {
    /// A fault for requests whose path starts with `pathPrefix`.
    public struct Rule: Sendable, Equatable {
        public var pathPrefix: String
        public var fault: Fault
        /// Probability per matching request (random rules).
        public var probability: Double

        public init(pathPrefix: String = "/", fault: Fault, probability: Double) {
            self.pathPrefix = pathPrefix
            self.fault = fault
            self.probability = probability
        }
    }

    private struct State {
        var scripted: [(prefix: String, fault: Fault, remaining: Int)] = []
        var rules: [Rule]
        var rng: SplitMix64
        var injected: [String: Int] = [:]
    }

    private let state: Mutex<State>

    public init(rules: [Rule] = [], seed: UInt64 = 7) {
        self.state = Mutex(State(rules: rules, rng: SplitMix64(seed: seed)))
    }

    /// Makes the next `times` requests under `pathPrefix` get `fault`, before any random rule.
    public func script(_ fault: Fault, times: Int = 1, pathPrefix: String = "/") {
        state.withLock { $0.scripted.append((pathPrefix, fault, times)) }
    }

    /// Replaces the random rules (for example between phases of a test).
    public func setRules(_ rules: [Rule]) {
        state.withLock { $0.rules = rules }
    }

    /// The faults to apply to a request for `path`, in order (latency first).
    func faults(for path: String) -> [Fault] {
        state.withLock { state in
            if let index = state.scripted.firstIndex(where: { path.hasPrefix($0.prefix) && $0.remaining > 0 }) {
                state.scripted[index].remaining -= 1
                let fault = state.scripted[index].fault
                if state.scripted[index].remaining == 0 { state.scripted.remove(at: index) }
                state.injected[fault.description, default: 0] += 1
                return [fault]
            }
            var chosen: [Fault] = []
            for rule in state.rules where path.hasPrefix(rule.pathPrefix) {
                if state.rng.nextUnit() < rule.probability {
                    chosen.append(rule.fault)
                    state.injected[rule.fault.description, default: 0] += 1
                }
            }
            return chosen.sorted { lhs, _ in if case .latency = lhs { return true } else { return false } }
        }
    }

    /// How many times each fault was injected so far.
    public var injectedCounts: [String: Int] { state.withLock { $0.injected } }
}
