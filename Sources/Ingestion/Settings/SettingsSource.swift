import Foundation

/// Configuration values with the documented precedence: command-line flags (applied by the
/// caller), then the process environment, then a `.env` file.
public struct SettingsSource: Sendable {
    public var environment: [String: String]
    public var dotEnv: [String: String]
    /// Line numbers of `.env` lines that could not be read.
    public var dotEnvProblems: [Int]

    public init(environment: [String: String], dotEnv: [String: String] = [:], dotEnvProblems: [Int] = []) {
        self.environment = environment
        self.dotEnv = dotEnv
        self.dotEnvProblems = dotEnvProblems
    }

    /// The process environment plus `.env` from `directory` (the working directory by default).
    public static func load(directory: String = FileManager.default.currentDirectoryPath) -> SettingsSource {
        let path = (directory as NSString).appendingPathComponent(".env")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return SettingsSource(environment: ProcessInfo.processInfo.environment)
        }
        let parsed = DotEnv.parse(text)
        return SettingsSource(
            environment: ProcessInfo.processInfo.environment, dotEnv: parsed.values, dotEnvProblems: parsed.badLines)
    }

    /// The first non-empty value among `keys`, environment before `.env`.
    public func value(_ keys: String...) -> String? {
        for source in [environment, dotEnv] {
            for key in keys {
                if let value = source[key], !value.isEmpty { return value }
            }
        }
        return nil
    }

    /// The REST key: `POLYGON_API_KEY`, or `MASSIVE_API_KEY` (the client's name since the rename).
    public var apiKey: String? { value("POLYGON_API_KEY", "MASSIVE_API_KEY") }

    /// `POLYGON_BASE_URL` (or `MASSIVE_BASE_URL`), else Polygon's public host.
    public var baseURL: String { value("POLYGON_BASE_URL", "MASSIVE_BASE_URL") ?? "https://api.polygon.io" }
}
