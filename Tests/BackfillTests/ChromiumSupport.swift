import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization

/// Headless Chromium (Debian's `chromium`) as a child process, driven over the DevTools protocol.
final class Chromium: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let process: Process
    let port: Int
    private let profile: URL

    static var executable: URL? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
            .map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Starts Chromium with a fresh profile and a 1400×900 window; waits for its DevTools port.
    static func launch() async throws -> Chromium {
        guard let executable else {
            throw Failure(
                description: "chromium is not installed (Debian package chromium; scripts/system-packages.txt)")
        }
        let profile = try TestSupport.temporaryDirectory()
        let process = Process()
        process.executableURL = executable
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--remote-allow-origins=*",
            "--user-data-dir=\(profile.path)",
            "--window-size=1400,900", "--force-device-scale-factor=1", "--hide-scrollbars", "about:blank",
        ]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let portFile = profile.appendingPathComponent("DevToolsActivePort")
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8),
                let line = text.split(separator: "\n").first, let port = Int(line)
            {
                return Chromium(process: process, port: port, profile: profile)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(process.processIdentifier, SIGKILL)
        _ = ChildExit.waitBlocking(process)
        throw Failure(description: "chromium did not open its DevTools port within 60 s")
    }

    private init(process: Process, port: Int, profile: URL) {
        self.process = process
        self.port = port
        self.profile = profile
    }

    /// Runs `body` with the first page target; fails (instead of hanging) after `seconds`.
    func withPage<T: Sendable>(seconds: Double = 120, _ body: @escaping @Sendable (DevToolsPage) async throws -> T)
        async throws -> T
    {
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/json/list")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let data = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        let targets = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
        guard let url = targets.first(where: { $0["type"] as? String == "page" })?["webSocketDebuggerUrl"] as? String
        else { throw Failure(description: "no page target in \(targets)") }
        let result = Mutex<T?>(nil)
        let logger = TestSupport.quietLogger
        try await TestSupport.withTimeout(seconds: seconds) {
            _ = try await WebSocketClient.connect(
                url: url, configuration: .init(maxFrameSize: 1 << 26), logger: logger
            ) { inbound, outbound, _ in
                let page = DevToolsPage(
                    inbound: inbound.messages(maxSize: 1 << 26).makeAsyncIterator(), outbound: outbound)
                let value = try await body(page)
                result.withLock { $0 = value }  // returning closes the socket
            }
        }
        guard let value = result.withLock({ $0.take() }) else {
            throw Failure(description: "the DevTools session ended early")
        }
        return value
    }

    func stop() {
        if ChildExit.isRunning(process) { kill(process.processIdentifier, SIGKILL) }
        _ = ChildExit.waitBlocking(process)
        try? FileManager.default.removeItem(at: profile)
    }

    deinit { stop() }
}

/// One page over the DevTools protocol: commands answered in order, events skipped.
final class DevToolsPage: @unchecked Sendable {
    // @unchecked: used by one task only, the WebSocket handler that created it.
    private var inbound: WebSocketInboundMessageStream.AsyncIterator
    private let outbound: WebSocketOutboundWriter
    private var nextID = 0

    init(inbound: WebSocketInboundMessageStream.AsyncIterator, outbound: WebSocketOutboundWriter) {
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Sends a command and returns its `result`.
    @discardableResult
    func send(_ method: String, _ params: [String: Any] = [:]) async throws -> [String: Any] {
        nextID += 1
        let id = nextID
        let command = try JSONSerialization.data(withJSONObject: ["id": id, "method": method, "params": params])
        try await outbound.write(.text(String(decoding: command, as: UTF8.self)))
        while let message = try await inbound.next() {
            guard case .text(let text) = message,
                let frame = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                (frame["id"] as? NSNumber)?.intValue == id
            else { continue }
            if let error = frame["error"] { throw Chromium.Failure(description: "\(method): \(error)") }
            return frame["result"] as? [String: Any] ?? [:]
        }
        throw Chromium.Failure(description: "the DevTools socket closed during \(method)")
    }

    /// Evaluates `expression` in the page (awaiting a promise) and returns its JSON value.
    func evaluate(_ expression: String) async throws -> Any? {
        let result = try await send(
            "Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] {
            throw Chromium.Failure(description: "\(expression): \(exception)")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    func string(_ expression: String) async throws -> String { "\(try await evaluate(expression) ?? "null")" }

    /// Polls `condition` (a JS boolean expression) until true; throws with `describe`'s value after `seconds`.
    func waitUntil(
        _ condition: String, seconds: Double = 30, describe: String = "document.body.innerText.slice(0, 300)"
    )
        async throws
    {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1_000))
        while ContinuousClock.now < deadline {
            // Exceptions count as "not yet": the old page may still be there right after a navigation.
            if try await evaluate("(() => { try { return Boolean(\(condition)); } catch { return false; } })()")
                as? Bool
                == true
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Chromium.Failure(description: "timed out waiting for \(condition): \(try await string(describe))")
    }

    func navigate(_ url: String) async throws {
        try await send("Page.enable")
        try await send(
            "Emulation.setDeviceMetricsOverride",
            ["width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": false])
        try await send("Page.navigate", ["url": url])
    }

    func screenshot() async throws -> Data {
        let result = try await send("Page.captureScreenshot", ["format": "png"])
        guard let base64 = result["data"] as? String, let data = Data(base64Encoded: base64) else {
            throw Chromium.Failure(description: "no screenshot data")
        }
        return data
    }

    func key(_ key: String, code: Int) async throws {
        for type in ["rawKeyDown", "keyUp"] {
            try await send(
                "Input.dispatchKeyEvent", ["type": type, "key": key, "code": key, "windowsVirtualKeyCode": code])
        }
    }

    func mouse(_ type: String, x: Double, y: Double, button: String = "none") async throws {
        try await send(
            "Input.dispatchMouseEvent",
            ["type": type, "x": x, "y": y, "button": button, "clickCount": button == "none" ? 0 : 1])
    }
}

extension TestSupport {
    /// Runs `body`, failing with an error if it takes longer than `seconds`.
    static func withTimeout(seconds: Double, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await body()
                return true
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1_000)))
                return false
            }
            let finished = try await group.next() ?? false
            group.cancelAll()
            if !finished { throw Chromium.Failure(description: "timed out after \(Int(seconds)) s") }
        }
    }
}
