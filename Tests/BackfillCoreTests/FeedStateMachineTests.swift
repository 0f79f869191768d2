import BackfillCore
import Testing

/// The live feed's connection state machine, event by event, without I/O.
@Suite("Feed state machine")
struct FeedStateMachineTests {
    static let aapl = FeedTopic(.minuteBars, "AAPL")
    static let msft = FeedTopic(.minuteBars, "MSFT")
    static let trades = FeedTopic.all(.trades)
    static let policy = RetryPolicy(maxAttempts: 4, baseDelay: 1, maxDelay: 8)
    static let minute: Int64 = 60_000

    /// A machine taken through connect, greeting and auth.
    static func streaming(_ topics: [FeedTopic] = [aapl]) -> FeedStateMachine {
        var machine = FeedStateMachine(topics: topics, reconnectPolicy: policy)
        _ = machine.handle(.start)
        _ = machine.handle(.socketOpened)
        _ = machine.handle(.greeted)
        _ = machine.handle(.authSucceeded)
        return machine
    }

    @Test func handshakeOpensAuthenticatesThenSubscribesEverything() {
        var machine = FeedStateMachine(topics: [Self.msft, Self.aapl, Self.trades], reconnectPolicy: Self.policy)
        #expect(machine.state == .idle)
        #expect(machine.handle(.start) == .openSocket)
        #expect(machine.state == .connecting)
        #expect(machine.handle(.socketOpened) == .none)
        #expect(machine.state == .awaitingGreeting)
        #expect(machine.handle(.greeted) == .sendAuth)
        #expect(machine.state == .authenticating)
        let subscribe = machine.handle(.authSucceeded)
        #expect(subscribe == .send(FeedCommand(.subscribe, [Self.aapl, Self.msft, Self.trades])))
        #expect(machine.state == .streaming)
        if case .send(let command) = subscribe {
            #expect(command.json == #"{"action":"subscribe","params":"AM.AAPL,AM.MSFT,T.*"}"#)
        }
    }

    @Test func nothingToSubscribeSendsNothing() {
        var machine = FeedStateMachine(reconnectPolicy: Self.policy)
        _ = machine.handle(.start)
        _ = machine.handle(.socketOpened)
        _ = machine.handle(.greeted)
        #expect(machine.handle(.authSucceeded) == .none)
        #expect(machine.state == .streaming)
    }

    @Test func authFailureIsFinalAndNotRetried() {
        var machine = FeedStateMachine(topics: [Self.aapl], reconnectPolicy: Self.policy)
        _ = machine.handle(.start)
        _ = machine.handle(.socketOpened)
        _ = machine.handle(.greeted)
        let failure = FeedFailure(.authenticationFailed, "authentication failed: authentication failed")
        #expect(machine.handle(.authFailed(message: "authentication failed")) == .fail(failure))
        #expect(machine.state == .failed(failure) && machine.isFinished)
        #expect(machine.handle(.disconnected(reason: "closed", retryable: true, jitter: 0.5)) == .none)
        #expect(machine.handle(.reconnectDelayElapsed) == .none && machine.handle(.start) == .none)
    }

    @Test func subscriptionsWhileStreamingSendOnlyTheChange() {
        var machine = Self.streaming([Self.aapl])
        #expect(machine.handle(.subscribe([Self.aapl, Self.msft])) == .send(FeedCommand(.subscribe, [Self.msft])))
        #expect(machine.handle(.subscribe([Self.msft])) == .none, "already subscribed")
        #expect(
            machine.handle(.unsubscribe([Self.aapl, Self.trades])) == .send(FeedCommand(.unsubscribe, [Self.aapl])))
        #expect(machine.handle(.unsubscribe([Self.trades])) == .none, "never subscribed")
        #expect(machine.topics == [Self.msft])
    }

    @Test func subscriptionsWhileAwayAreRememberedForTheNextAuth() {
        var machine = FeedStateMachine(topics: [Self.aapl], reconnectPolicy: Self.policy)
        #expect(machine.handle(.subscribe([Self.msft])) == .none)
        _ = machine.handle(.start)
        #expect(machine.handle(.unsubscribe([Self.aapl])) == .none)
        _ = machine.handle(.socketOpened)
        _ = machine.handle(.greeted)
        #expect(machine.handle(.authSucceeded) == .send(FeedCommand(.subscribe, [Self.msft])))
    }

    @Test func dropReconnectsWithBackoffAndResubscribesEverything() {
        var machine = Self.streaming([Self.aapl])
        _ = machine.handle(.subscribe([Self.msft]))
        #expect(
            machine.handle(.disconnected(reason: "reset", retryable: true, jitter: 0.5))
                == .reconnect(afterSeconds: 0.5, attempt: 1))
        #expect(machine.state == .waitingToReconnect)
        #expect(machine.handle(.reconnectDelayElapsed) == .openSocket)
        #expect(
            machine.handle(.disconnected(reason: "refused", retryable: true, jitter: 0.5))
                == .reconnect(afterSeconds: 1, attempt: 2))
        _ = machine.handle(.reconnectDelayElapsed)
        _ = machine.handle(.socketOpened)
        #expect(machine.handle(.greeted) == .sendAuth)
        #expect(machine.handle(.authSucceeded) == .send(FeedCommand(.subscribe, [Self.aapl, Self.msft])))
        #expect(machine.consecutiveFailures == 0, "streaming again resets the backoff")
        #expect(
            machine.handle(.disconnected(reason: "reset", retryable: true, jitter: 1))
                == .reconnect(afterSeconds: 1, attempt: 1))
    }

    @Test func backoffIsCappedAndAttemptsRunOut() {
        var machine = Self.streaming()
        var delays: [Double] = []
        for _ in 1..<Self.policy.maxAttempts {
            guard
                case .reconnect(let seconds, _) = machine.handle(.disconnected(reason: "x", retryable: true, jitter: 1))
            else {
                Issue.record("expected a reconnect")
                return
            }
            delays.append(seconds)
            #expect(machine.handle(.reconnectDelayElapsed) == .openSocket)
        }
        #expect(delays == [1, 2, 4])
        let last = machine.handle(.disconnected(reason: "connection refused", retryable: true, jitter: 1))
        #expect(last == .fail(FeedFailure(.tooManyReconnects, "connection refused (after 4 attempt(s))")))
        #expect(machine.isFinished)
    }

    @Test func aNonRetryableFailureEndsTheFeed() {
        var machine = FeedStateMachine(reconnectPolicy: Self.policy)
        _ = machine.handle(.start)
        let action = machine.handle(.disconnected(reason: "bad URL", retryable: false, jitter: 0))
        #expect(action == .fail(FeedFailure(.connectionRefused, "bad URL (after 1 attempt(s))")))
    }

    @Test func aDropBetweenBarsIsReportedOnceWithExactlyTheMissedMinutes() {
        var machine = Self.streaming([Self.aapl])
        let t0: Int64 = 1_736_172_000_000
        #expect(machine.handle(.minuteBar(startMs: t0)) == .none)
        #expect(machine.handle(.minuteBar(startMs: t0 + Self.minute)) == .none)
        _ = machine.handle(.disconnected(reason: "reset", retryable: true, jitter: 0))
        #expect(machine.pendingGap == .init(startMs: t0 + Self.minute, disconnections: 1))
        _ = machine.handle(.reconnectDelayElapsed)
        _ = machine.handle(.disconnected(reason: "refused", retryable: true, jitter: 0))
        _ = machine.handle(.reconnectDelayElapsed)
        _ = machine.handle(.socketOpened)
        _ = machine.handle(.greeted)
        _ = machine.handle(.authSucceeded)
        #expect(machine.handle(.minuteBar(startMs: t0)) == .none, "a late re-broadcast does not close the gap")
        let gap = FeedGap(
            lastBeforeMs: t0 + Self.minute, firstAfterMs: t0 + 5 * Self.minute, disconnections: 2, topics: [Self.aapl])
        #expect(machine.handle(.minuteBar(startMs: t0 + 5 * Self.minute)) == .reportGap(gap))
        #expect(Array(gap.missedMinuteStarts) == [t0 + 2 * Self.minute, t0 + 3 * Self.minute, t0 + 4 * Self.minute])
        #expect(gap.missedMinutes == 3)
        #expect(machine.handle(.minuteBar(startMs: t0 + 6 * Self.minute)) == .none, "reported once")
        #expect(machine.lastMinuteStartMs == t0 + 6 * Self.minute && machine.pendingGap == nil)
    }

    @Test func aReconnectWithinTheSameMinuteReportsAnEmptyGap() {
        var machine = Self.streaming()
        _ = machine.handle(.minuteBar(startMs: 0))
        _ = machine.handle(.disconnected(reason: "reset", retryable: true, jitter: 0))
        _ = machine.handle(.reconnectDelayElapsed)
        let action = machine.handle(.minuteBar(startMs: Self.minute))
        #expect(
            action
                == .reportGap(
                    FeedGap(lastBeforeMs: 0, firstAfterMs: Self.minute, disconnections: 1, topics: [Self.aapl])))
        if case .reportGap(let gap) = action {
            #expect(gap.missedMinutes == 0 && Array(gap.missedMinuteStarts).isEmpty)
        }
    }

    @Test func aDropBeforeAnyBarHasNoAnchorAndReportsNothing() {
        var machine = Self.streaming()
        _ = machine.handle(.disconnected(reason: "reset", retryable: true, jitter: 0))
        _ = machine.handle(.reconnectDelayElapsed)
        #expect(machine.handle(.minuteBar(startMs: 5 * Self.minute)) == .none)
        #expect(machine.pendingGap == nil)
    }

    /// Every event in every state: the machine never traps, and out-of-place events change nothing.
    @Test func strayEventsAreIgnored() {
        let events: [FeedStateMachine.Event] = [
            .start, .socketOpened, .greeted, .authSucceeded, .authFailed(message: "x"), .reconnectDelayElapsed,
        ]
        let states: [FeedStateMachine] = [
            FeedStateMachine(reconnectPolicy: Self.policy), Self.streaming(),
        ]
        for machine in states {
            for event in events {
                var copy = machine
                let expectsChange = machine.state == .idle && event == .start
                let action = copy.handle(event)
                #expect((action != .none) == expectsChange, "\(event) in \(machine.state)")
                #expect((copy == machine) == !expectsChange, "\(event) in \(machine.state)")
            }
        }
    }
}
