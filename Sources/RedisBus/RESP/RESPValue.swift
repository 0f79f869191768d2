/// One Redis reply. RESP2 types plus the RESP3 ones (a server may send them after `HELLO 3`, and
/// some modules do anyway), so that an unexpected reply type is decoded rather than a protocol error.
public enum RESPValue: Sendable, Equatable {
    /// `+OK`
    case simpleString(String)
    /// `-ERR …` and RESP3 blob errors `!`.
    case error(String)
    /// `:42`
    case integer(Int64)
    /// `$3\r\nfoo` and RESP3 verbatim strings `=` (without their `txt:` format prefix).
    case bulkString([UInt8])
    /// `$-1`, `*-1` and RESP3 `_`.
    case null
    /// `*N`
    case array([RESPValue])
    /// RESP3 `,1.5`
    case double(Double)
    /// RESP3 `#t` / `#f`
    case boolean(Bool)
    /// RESP3 `(123…`, kept as its decimal text.
    case bigNumber(String)
    /// RESP3 `%N`: keys and values alternating (`[k1, v1, k2, v2]`), in wire order.
    case map([RESPValue])
    /// RESP3 `~N`
    case set([RESPValue])
    /// RESP3 `>N`: an out-of-band message (pub/sub deliveries under RESP3).
    case push([RESPValue])

    /// The text of a simple or bulk string (UTF-8), nil for every other type.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The bytes of a bulk or simple string, nil for every other type.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        default: nil
        }
    }

    /// The elements of an array, set or push, nil for every other type.
    public var elements: [RESPValue]? {
        switch self {
        case .array(let values), .set(let values), .push(let values): values
        default: nil
        }
    }

    /// The value of an integer reply.
    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}
