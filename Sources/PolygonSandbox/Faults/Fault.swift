/// A misbehaviour the sandbox can inject into a response, as real gateways and APIs do.
public enum Fault: Sendable, Equatable, CustomStringConvertible {
    /// An HTTP status with Polygon's JSON error body; 429 and 503 may carry `Retry-After` seconds.
    case status(Int, retryAfterSeconds: Int?)
    /// A gateway's HTML error page (502/504 from a load balancer).
    case gatewayHTML(Int)
    /// A 200 whose JSON is cut off midway.
    case malformedJSON
    /// A 200 whose first bar lacks the named field (`t`, `o`, …).
    case missingField(String)
    /// A 200 with `"results": null` and a zero count.
    case emptyResults
    /// Wait this many milliseconds before answering normally.
    case latency(milliseconds: Int)
    /// S3: the object served is cut to half its length (a short gzip, with a matching Content-Length).
    case truncatedObject
    /// S3: every n-th CSV row of the object is malformed.
    case malformedRows(every: Int)
    /// REST and S3: the full Content-Length is announced, half the body is sent, then the connection closes.
    case resetMidBody
    /// WebSocket: close the connection after sending this many data frames.
    case webSocketDrop(afterMessages: Int)
    /// WebSocket: close the connection this many seconds (real time) after it opened.
    case webSocketDropAfter(seconds: Double)
    /// WebSocket: after this many data frames, go silent — no frames, no pongs — for `seconds`
    /// (real time), then close; a client sees it only through its heartbeat. After 0 frames the
    /// server does not even send its `connected` greeting.
    case webSocketStall(afterMessages: Int, seconds: Double)

    /// Whether the fault applies to WebSocket connections (else to REST requests).
    public var isWebSocket: Bool {
        switch self {
        case .webSocketDrop, .webSocketDropAfter, .webSocketStall: return true
        case .status, .gatewayHTML, .malformedJSON, .missingField, .emptyResults, .latency, .truncatedObject,
            .malformedRows, .resetMidBody:
            return false
        }
    }

    public var description: String {
        switch self {
        case .status(let code, let retryAfter): return retryAfter.map { "\(code) (Retry-After \($0))" } ?? "\(code)"
        case .gatewayHTML(let code): return "\(code) html"
        case .malformedJSON: return "malformed-json"
        case .missingField(let field): return "missing-field \(field)"
        case .emptyResults: return "empty-results"
        case .latency(let ms): return "latency \(ms)ms"
        case .truncatedObject: return "truncated-gzip"
        case .malformedRows(let every): return "malformed-csv every \(every)"
        case .resetMidBody: return "reset-mid-body"
        case .webSocketDrop(let messages): return "ws-drop after \(messages) messages"
        case .webSocketDropAfter(let seconds): return "ws-drop after \(seconds)s"
        case .webSocketStall(let messages, let seconds): return "ws-stall after \(messages) messages for \(seconds)s"
        }
    }

    /// Parses the command-line spelling: `429`, `429-retry-after`, `500`, `502-html`,
    /// `malformed-json`, `missing-field`, `empty`, `latency-20`, `reset-mid-body`; for flat files
    /// `truncated-gzip` and `malformed-csv` (every 1,000th row); for the WebSocket feed
    /// `ws-drop-messages-N`, `ws-drop-seconds-N` and `ws-stall-messages-N` (silent for 30 s).
    public init?(spec: String) {
        if let fault = Fault(webSocketSpec: spec) {
            self = fault
            return
        }
        switch spec {
        case "429-retry-after": self = .status(429, retryAfterSeconds: 1)
        case "malformed-json": self = .malformedJSON
        case "missing-field": self = .missingField("t")
        case "empty": self = .emptyResults
        case "truncated-gzip": self = .truncatedObject
        case "malformed-csv": self = .malformedRows(every: 1_000)
        case "reset-mid-body": self = .resetMidBody
        default:
            if spec.hasPrefix("latency-"), let ms = Int(spec.dropFirst(8)), ms >= 0 {
                self = .latency(milliseconds: ms)
            } else if spec.hasSuffix("-html"), let code = Int(spec.dropLast(5)), (400...599).contains(code) {
                self = .gatewayHTML(code)
            } else if let code = Int(spec), (400...599).contains(code) {
                self = .status(code, retryAfterSeconds: nil)
            } else {
                return nil
            }
        }
    }
}

extension Fault {
    /// Parses the WebSocket spellings: `ws-drop-messages-N`, `ws-drop-seconds-N`, `ws-stall-messages-N`.
    init?(webSocketSpec spec: String) {
        func number(after prefix: String, orZero: Bool = false) -> Double? {
            guard spec.hasPrefix(prefix), let value = Double(spec.dropFirst(prefix.count)),
                value > 0 || orZero && value == 0
            else {
                return nil
            }
            return value
        }
        if let n = number(after: "ws-drop-messages-"), let count = Int(exactly: n) {
            self = .webSocketDrop(afterMessages: count)
        } else if let seconds = number(after: "ws-drop-seconds-") {
            self = .webSocketDropAfter(seconds: seconds)
        } else if let n = number(after: "ws-stall-messages-", orZero: true), let count = Int(exactly: n) {
            self = .webSocketStall(afterMessages: count, seconds: 30)
        } else {
            return nil
        }
    }
}
