import NIOCore

/// A command as Redis receives it: an array of bulk strings (`*3\r\n$7\r\nPUBLISH\r\n…`).
public struct RESPCommand: Sendable, Equatable {
    public var arguments: [[UInt8]]

    /// `RESPCommand("XACK", "stream", "group", id)`
    public init(_ name: String, _ arguments: String...) {
        self.arguments = [Array(name.utf8)] + arguments.map { Array($0.utf8) }
    }

    public init(arguments: [[UInt8]]) {
        self.arguments = arguments
    }

    /// Appends one argument given as bytes (payloads that need not be UTF-8).
    public mutating func append(_ bytes: [UInt8]) { arguments.append(bytes) }

    /// Appends one argument given as text.
    public mutating func append(_ text: String) { arguments.append(Array(text.utf8)) }

    /// The command's name, upper-cased, for error messages (never its arguments: AUTH carries a password).
    public var name: String { String(decoding: arguments.first ?? [], as: UTF8.self).uppercased() }

    /// Writes the command in RESP to `buffer`.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeStaticString("*")
        buffer.writeString(String(arguments.count))
        buffer.writeStaticString("\r\n")
        for argument in arguments {
            buffer.writeStaticString("$")
            buffer.writeString(String(argument.count))
            buffer.writeStaticString("\r\n")
            // Through a raw pointer: one copy, also in debug builds (the generic path goes byte by byte).
            argument.withUnsafeBytes { _ = buffer.writeBytes($0) }
            buffer.writeStaticString("\r\n")
        }
    }
}
