import NIOCore
import RedisBus
import Testing

@Suite("Redis RESP parsing and encoding")
struct RedisRESPTests {
    static let cases: [(String, RESPValue)] = [
        ("+OK\r\n", .simpleString("OK")),
        ("-WRONGPASS invalid username-password pair\r\n", .error("WRONGPASS invalid username-password pair")),
        (":-42\r\n", .integer(-42)),
        ("$5\r\nhello\r\n", .bulkString(Array("hello".utf8))),
        ("$0\r\n\r\n", .bulkString([])),
        ("$4\r\na\r\nb\r\n", .bulkString(Array("a\r\nb".utf8))),
        ("$-1\r\n", .null),
        ("*-1\r\n", .null),
        ("*0\r\n", .array([])),
        (
            "*4\r\n$8\r\npmessage\r\n$6\r\nbars.*\r\n$12\r\nbars.1m.AAPL\r\n$2\r\n{}\r\n",
            .array([
                .bulkString(Array("pmessage".utf8)), .bulkString(Array("bars.*".utf8)),
                .bulkString(Array("bars.1m.AAPL".utf8)), .bulkString(Array("{}".utf8)),
            ])
        ),
        ("*2\r\n*1\r\n:1\r\n$-1\r\n", .array([.array([.integer(1)]), .null])),
        ("_\r\n", .null),
        ("#t\r\n", .boolean(true)),
        ("#f\r\n", .boolean(false)),
        (",1.5\r\n", .double(1.5)),
        (",-inf\r\n", .double(-.infinity)),
        ("(3492890328409238509324850943850943825024385\r\n", .bigNumber("3492890328409238509324850943850943825024385")),
        ("!21\r\nSYNTAX invalid syntax\r\n", .error("SYNTAX invalid syntax")),
        ("=15\r\ntxt:Some string\r\n", .bulkString(Array("Some string".utf8))),
        ("%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", .map([.simpleString("a"), .integer(1), .simpleString("b"), .integer(2)])),
        ("~2\r\n:1\r\n:2\r\n", .set([.integer(1), .integer(2)])),
        (
            ">3\r\n+message\r\n+ch\r\n$1\r\nx\r\n",
            .push([.simpleString("message"), .simpleString("ch"), .bulkString([120])])
        ),
        ("|1\r\n+ttl\r\n:3600\r\n+OK\r\n", .simpleString("OK")),
    ]

    @Test("every reply type decodes whole, and consumes exactly its bytes", arguments: cases)
    func whole(wire: String, expected: RESPValue) throws {
        var buffer = ByteBuffer(string: wire + "+NEXT\r\n")
        #expect(try RESPParser().parse(&buffer) == expected)
        #expect(try RESPParser().parse(&buffer) == .simpleString("NEXT"))
        #expect(buffer.readableBytes == 0)
    }

    @Test("a reply split at every byte waits for the rest, then decodes the same", arguments: cases)
    func split(wire: String, expected: RESPValue) throws {
        let bytes = Array(wire.utf8)
        for cut in 0..<bytes.count {
            var buffer = ByteBuffer(bytes: bytes[0..<cut])
            #expect(try RESPParser().parse(&buffer) == nil, "cut at \(cut) of \(wire.debugDescription)")
            #expect(buffer.readableBytes == cut, "an incomplete reply consumes nothing")
            buffer.writeBytes(bytes[cut...])
            #expect(try RESPParser().parse(&buffer) == expected)
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test("a reply fed one byte per read decodes once, at its last byte")
    func bytePerRead() throws {
        let wire = Array("*3\r\n$9\r\nmessage\r\n\r\n:7\r\n$-1\r\n".utf8)
        var buffer = ByteBuffer()
        var decoded: [RESPValue] = []
        for byte in wire {
            buffer.writeInteger(byte)
            if let value = try RESPParser().parse(&buffer) { decoded.append(value) }
        }
        #expect(decoded == [.array([.bulkString(Array("message\r\n".utf8)), .integer(7), .null])])
    }

    @Test(
        "bytes that are not RESP are a protocol error, not a hang", arguments: ["?x\r\n", ":12a\r\n", "$3\r\nabcd\r\n"])
    func garbage(wire: String) {
        var buffer = ByteBuffer(string: wire)
        #expect(throws: RedisBusError.self) { try RESPParser().parse(&buffer) }
    }

    @Test("nesting beyond the limit is refused")
    func depth() {
        var buffer = ByteBuffer(string: String(repeating: "*1\r\n", count: 40) + ":1\r\n")
        #expect(throws: RedisBusError.self) { try RESPParser().parse(&buffer) }
    }

    @Test("a command encodes as an array of bulk strings, binary-safe")
    func encode() throws {
        var command = RESPCommand("PUBLISH", "bars.1m.AAPL")
        command.append([0, 13, 10, 255])
        var buffer = ByteBuffer()
        command.encode(into: &buffer)
        let expected: [UInt8] =
            Array("*3\r\n$7\r\nPUBLISH\r\n$12\r\nbars.1m.AAPL\r\n$4\r\n".utf8) + [0, 13, 10, 255, 13, 10]
        #expect(Array(buffer.readableBytesView) == expected)
        // And the parser reads it back as the same arguments.
        #expect(
            try RESPParser().parse(&buffer)
                == .array(command.arguments.map { .bulkString($0) }))
    }
}

@Suite("Redis bus configuration and pure parts")
struct RedisBusPartsTests {
    @Test(
        "a topic prefix becomes a PSUBSCRIBE pattern with glob characters escaped",
        arguments: [
            ("bars.1m.", "bars.1m.*"), ("backfill.progress", "backfill.progress*"), ("", "*"),
            ("bars.1m.BRK*A", "bars.1m.BRK\\*A*"), ("bars.1m.X?[Y]", "bars.1m.X\\?\\[Y\\]*"), ("a\\b", "a\\\\b*"),
        ])
    func pattern(prefix: String, expected: String) {
        #expect(TopicPattern.pattern(forPrefix: prefix) == expected)
    }

    @Test("backoff doubles to its cap and starts over after a success")
    func backoff() {
        var backoff = ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(300))
        let delays = (0..<5).map { _ in backoff.nextDelay() }
        #expect(
            delays == [
                .milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(300), .milliseconds(300),
            ])
        backoff.reset()
        #expect(backoff.nextDelay() == .milliseconds(50))
    }

    @Test("REDIS_HOST, REDIS_PORT, REDIS_PASSWORD with defaults; the password never shows")
    func environment() throws {
        let defaults = try RedisConfiguration.fromEnvironment([:])
        #expect(defaults.endpoint == "127.0.0.1:6380")
        #expect(defaults.password == nil)
        let set = try RedisConfiguration.fromEnvironment([
            "REDIS_HOST": "redis.internal", "REDIS_PORT": "6390", "REDIS_PASSWORD": "s3cret-value",
        ])
        #expect(set.endpoint == "redis.internal:6390")
        #expect(set.password == "s3cret-value")
        #expect(!"\(set)".contains("s3cret-value"))
        let error = #expect(throws: RedisBusError.self) {
            try RedisConfiguration.fromEnvironment(["REDIS_PORT": "63x"])
        }
        #expect(error?.message.contains("REDIS_PORT '63x'") == true)
    }
}
