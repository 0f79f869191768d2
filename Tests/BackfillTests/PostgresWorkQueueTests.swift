import Foundation
import PostgresStore
import Storage
import Synchronization
import Testing

/// Several workers sharing tasks through one database: SKIP LOCKED claims and expiring leases.
@Suite("PostgreSQL work queue")
struct PostgresWorkQueueTests {
    /// Three workers, each with its own pool (as separate processes), drain 60 tasks at once:
    /// every task is claimed and completed exactly once.
    @Test func concurrentWorkersClaimEachTaskOnce() async throws {
        try await PostgresTestSupport.withDatabase { (settings) async throws in
            let keys = (0..<60).map { String(format: "day-%03d", $0) }
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { (store) async throws in
                let queue = PostgresWorkQueue(store: store, worker: "setup")
                #expect(try await queue.enqueue(kind: "day", keys: keys) == 60)
                #expect(try await queue.enqueue(kind: "day", keys: Array(keys.prefix(10))) == 0)
            }
            let claimed = ClaimLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in ["w1", "w2", "w3"] {
                    group.addTask {
                        try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) {
                            (store) async throws in
                            let queue = PostgresWorkQueue(store: store, worker: worker)
                            while let claim = try await queue.claim(kind: "day", lease: .seconds(60)) {
                                claimed.record(claim.key, by: worker)
                                #expect(try await queue.complete(claim))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let byKey = claimed.byKey
            #expect(byKey.keys.sorted() == keys)
            #expect(byKey.values.allSatisfy { $0.count == 1 })
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { (store) async throws in
                let counts = try await PostgresWorkQueue(store: store, worker: "check").counts(kind: "day")
                #expect(counts == PostgresWorkQueue.Counts(pending: 0, running: 0, done: 60, failed: 0))
            }
        }
    }

    /// A worker that stops renewing loses its task to another once the lease expires; its late
    /// completion is refused, the new holder's accepted.
    @Test func anExpiredLeaseIsTakenOverAndTheOldHolderCannotComplete() async throws {
        try await PostgresTestSupport.withStore { (store) async throws in
            let slow = PostgresWorkQueue(store: store, worker: "slow")
            let other = PostgresWorkQueue(store: store, worker: "other")
            try await slow.enqueue(kind: "day", keys: ["2025-01-02"])
            // Leases of seconds, not milliseconds: a loaded CI machine can pause a test that long.
            let first = try #require(try await slow.claim(kind: "day", lease: .seconds(3)))
            #expect(try await other.claim(kind: "day", lease: .seconds(60)) == nil, "held and not expired")
            #expect(try await slow.renew(first, lease: .seconds(2)))
            try await Task.sleep(for: .milliseconds(2_500))
            let second = try #require(try await other.claim(kind: "day", lease: .seconds(60)))
            #expect(second.key == "2025-01-02" && second.attempts == 2)
            #expect(try await slow.complete(first) == false)
            #expect(try await slow.renew(first, lease: .seconds(1)) == false)
            #expect(try await other.complete(second))
            #expect(try await other.claim(kind: "day", lease: .seconds(60)) == nil, "done is never claimed again")
        }
    }

    @Test func aFailedTaskIsRetriedUntilItsAttemptsRunOut() async throws {
        try await PostgresTestSupport.withStore { (store) async throws in
            let queue = PostgresWorkQueue(store: store, worker: "w")
            try await queue.enqueue(kind: "chunk", keys: ["AMD 2024"])
            var claim = try #require(try await queue.claim(kind: "chunk", lease: .seconds(60)))
            #expect(try await queue.fail(claim, error: "HTTP 503", maximumAttempts: 2))
            #expect(try await queue.counts(kind: "chunk").pending == 1)
            claim = try #require(try await queue.claim(kind: "chunk", lease: .seconds(60)))
            #expect(claim.attempts == 2)
            #expect(try await queue.fail(claim, error: "HTTP 503", maximumAttempts: 2))
            #expect(try await queue.counts(kind: "chunk") == PostgresWorkQueue.Counts(failed: 1))
            #expect(try await queue.claim(kind: "chunk", lease: .seconds(60)) == nil)
        }
    }
}

/// Which worker claimed which key, shared by the workers' tasks.
final class ClaimLog: Sendable {
    private let claims = Mutex<[String: [String]]>([:])

    func record(_ key: String, by worker: String) { claims.withLock { $0[key, default: []].append(worker) } }

    var byKey: [String: [String]] { claims.withLock { $0 } }
}
