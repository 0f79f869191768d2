/// The one error type of the `Storage` module.
public struct StorageError: Error, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let cannotOpen = Code("cannot-open")
        public static let migration = Code("migration")
        public static let unsupportedTimeframe = Code("unsupported-timeframe")
        public static let write = Code("write")
        public static let read = Code("read")
        /// The database server could not be reached within the store's retry deadline.
        public static let unreachable = Code("unreachable")
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?
    public var file: String
    public var line: Int

    public init(
        _ code: Code, _ message: String, underlying: (any Error)? = nil, file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    public var description: String {
        underlying.map { "\(message): \($0)" } ?? message
    }
}
