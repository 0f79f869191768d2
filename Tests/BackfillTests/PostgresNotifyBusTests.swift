import Foundation
import MessageBus
import PostgresStore
import Testing

/// LISTEN/NOTIFY as a bus between two stores (as two processes would be) on one database.
@Suite("PostgreSQL LISTEN/NOTIFY bus")
struct PostgresNotifyBusTests {
    @Test func messagesReachAnotherConnectionsSubscribersByTopicPrefix() async throws {
        try await PostgresTestSupport.withDatabase { (settings) async throws in
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { (first) async throws in
                try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) {
                    (second) async throws in
                    let sender = PostgresNotifyBus(store: first, logger: TestSupport.quietLogger)
                    let receiver = PostgresNotifyBus(store: second, logger: TestSupport.quietLogger)
                    let minutes = MessageCollector()
                    let everything = MessageCollector()
                    let minuteStream = receiver.subscribe(topicPrefix: "bars.1m.", bufferSize: 100)
                    let allStream = receiver.subscribe(topicPrefix: "", bufferSize: 100)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { await receiver.run() }
                        group.addTask { await minutes.collect(minuteStream) }
                        group.addTask { await everything.collect(allStream) }
                        defer { group.cancelAll() }
                        let deadline = ContinuousClock.now + .seconds(10)
                        while !receiver.isListening && ContinuousClock.now < deadline {
                            try await Task.sleep(for: .milliseconds(10))
                        }
                        #expect(receiver.isListening)
                        await sender.publish(BusMessage(topic: "bars.1m.AMD", text: "{\"c\":1.5}"))
                        await sender.publish(BusMessage(topic: "backfill.progress", text: "line one\nline two"))
                        await sender.publish(BusMessage(topic: "bars.1m.NVDA", text: "{\"c\":2}"))
                        let oversized = String(repeating: "x", count: PostgresNotifyBus.maximumPayloadBytes)
                        await sender.publish(BusMessage(topic: "bars.1m.BIG", text: oversized))
                        #expect(await everything.waitFor(count: 3))
                        #expect(await minutes.waitFor(count: 2))
                        try await Task.sleep(for: .milliseconds(200))
                        #expect(
                            everything.messages.map(\.topic) == ["bars.1m.AMD", "backfill.progress", "bars.1m.NVDA"])
                        #expect(everything.messages[1].text == "line one\nline two")
                        #expect(minutes.messages.map(\.text) == ["{\"c\":1.5}", "{\"c\":2}"])
                    }
                }
            }
        }
    }
}
