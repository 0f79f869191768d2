import BackfillCore
import Foundation
import Synchronization

/// One client's state on the sandbox feed: authenticated or not, and its topics. Shared by the
/// connection's reader (commands) and streamer (frames), hence the lock.
final class FeedSession: Sendable {
    /// What to answer a client message with.
    struct Reply: Sendable, Equatable {
        var frames: [String]
        /// Close the connection after sending (a failed auth).
        var close: Bool = false
    }

    private struct State {
        var authenticated = false
        var topics: Set<FeedTopic> = []
    }

    private struct Command: Decodable {
        var action: String
        var params: String?
    }

    private let state = Mutex(State())
    private let apiKey: String
    private let universe: [String]

    init(apiKey: String, universe: [String]) {
        self.apiKey = apiKey
        self.universe = universe
    }

    /// Answers one text message from the client.
    func handle(_ text: String) -> Reply {
        guard let command = try? JSONDecoder().decode(Command.self, from: Data(text.utf8)) else {
            return Reply(frames: [FeedFrameWriter.status("error", "invalid message")])
        }
        let params = command.params ?? ""
        switch command.action {
        case "auth": return authenticate(params)
        case "subscribe", "unsubscribe": return change(subscribe: command.action == "subscribe", params)
        default: return Reply(frames: [FeedFrameWriter.status("error", "unknown action: \(command.action)")])
        }
    }

    private func authenticate(_ key: String) -> Reply {
        guard key == apiKey else {
            return Reply(frames: [FeedFrameWriter.status("auth_failed", "authentication failed")], close: true)
        }
        state.withLock { $0.authenticated = true }
        return Reply(frames: [FeedFrameWriter.status("auth_success", "authenticated")])
    }

    private func change(subscribe: Bool, _ params: String) -> Reply {
        guard state.withLock({ $0.authenticated }) else {
            return Reply(frames: [FeedFrameWriter.status("error", "not authenticated")])
        }
        guard let topics = FeedTopic.list(params), !topics.isEmpty else {
            return Reply(frames: [FeedFrameWriter.status("error", "invalid params: \(params)")])
        }
        state.withLock { state in
            if subscribe { state.topics.formUnion(topics) } else { state.topics.subtract(topics) }
        }
        let verb = subscribe ? "subscribed to" : "unsubscribed to"  // sic: Polygon's wording
        return Reply(frames: topics.map { FeedFrameWriter.status("success", "\(verb): \($0)") })
    }

    /// The tickers streamed on `channel` now, sorted (a wildcard brings in the universe).
    func symbols(on channel: FeedTopic.Channel) -> [String] {
        let topics = state.withLock { $0.topics }.filter { $0.channel == channel }
        var symbols = Set(topics.map(\.symbol))
        if symbols.remove(FeedTopic.wildcard) != nil { symbols.formUnion(universe) }
        return symbols.sorted()
    }

    /// Whether any topic needs per-second work (second bars or trades).
    var wantsSeconds: Bool {
        state.withLock { $0.topics.contains { $0.channel == .secondBars || $0.channel == .trades } }
    }
}
