import Foundation

/// Removes secrets from text before it reaches a log, an error or a terminal.
///
/// Both the literal secret values and any `apiKey=` query parameter are replaced, so even a URL
/// built elsewhere (a `next_url`, a user's `--base-url`) cannot leak a key.
public struct Redactor: Sendable {
    public static let mask = "REDACTED"
    private let secrets: [String]

    /// - Parameter secrets: values to hide wherever they appear; empty strings are ignored.
    public init(secrets: [String?]) {
        self.secrets = secrets.compactMap { $0 }.filter { $0.count >= 4 }
    }

    public func redact(_ text: String) -> String {
        var result = Redactor.redactQueryKeys(text)
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Redactor.mask)
        }
        return result
    }

    /// Replaces the values of `apiKey`, `apikey` and `api_key` query parameters.
    public static func redactQueryKeys(_ text: String) -> String {
        var output = ""
        var rest = Substring(text)
        let keys = ["apiKey=", "apikey=", "api_key=", "APIKEY="]
        while let range = keys.compactMap({ rest.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
            output += rest[..<range.upperBound]
            output += mask
            rest = rest[range.upperBound...]
            rest = rest.drop(while: { $0 != "&" && $0 != " " && $0 != "\"" && $0 != "#" && $0 != "\n" })
        }
        return output + rest
    }
}
