import Foundation
import MessageBus
import Testing

@testable import WebUI

/// The monitor's reading of a child's log: relayed bus lines are bounded like a bus, oldest dropped.
@Suite("monitor log reading")
struct BackfillProgressLogTests {
    @Test func busLinesBeyondTheBoundDropTheOldestAndAreNotLogLines() throws {
        let file = try TestSupport.temporaryDirectory().appendingPathComponent("child.log")
        let extra = 5
        let count = BackfillProgressLog.maxBusMessages * 2 + extra  // past the trimming point too
        var text = "plain line\n"
        for n in 0..<count {
            text += #"{"event":"bus","topic":"bars.1m.AMD","payload":"{\"n\":\#(n)}"}"# + "\n"
        }
        try text.write(to: file, atomically: true, encoding: .utf8)
        var log = BackfillProgressLog()
        log.read(file)
        let messages = log.takeBusMessages()
        #expect(messages.count == BackfillProgressLog.maxBusMessages)
        #expect(messages.first?.text == #"{"n":\#(count - BackfillProgressLog.maxBusMessages)}"#)
        #expect(messages.last?.text == #"{"n":\#(count - 1)}"#)
        #expect(log.takeBusMessages().isEmpty, "taken once")
        #expect(log.lines == ["plain line"])
    }
}
