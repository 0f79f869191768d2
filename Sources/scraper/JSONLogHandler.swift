import Foundation
import Logging

/// `--log-format json`: one JSON object per line on standard error, for log collectors.
struct JSONLogHandler: LogHandler {
    var label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        var fields: [String: String] = [
            "ts": ISO8601DateFormatter().string(from: Date()), "level": level.rawValue, "label": label,
            "message": message.description,
        ]
        for (key, value) in metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = value.description
        }
        JSONLine.write(fields)
    }
}

/// One JSON object on one line of standard error.
enum JSONLine {
    static func write(_ fields: [String: String]) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var data = try? encoder.encode(fields) else { return }
        data.append(0x0A)
        FileHandle.standardError.write(data)
    }
}
