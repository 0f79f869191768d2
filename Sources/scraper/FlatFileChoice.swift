import Ingestion
import Polygon

/// Where a run's day files come from, decided from the flags and the settings, and whether REST
/// follows for the days without a file and the tickers absent from files (hybrid).
struct FlatFileChoice {
    enum Source {
        /// Polygon's bucket (or another S3 endpoint) with the keys from the environment or `.env`.
        case s3(S3Configuration)
        /// The embedded sandbox's S3 surface, with its documented credentials.
        case sandbox
        /// `--flatfiles-dir`: a folder with the bucket's layout.
        case directory(String)
    }

    var source: Source
    /// REST fills what the files do not have: later days and absent tickers.
    var hybrid: Bool

    /// nil: REST only. `--flatfiles-dir` or `--flatfiles` choose flat files; otherwise S3 keys in the
    /// environment or `.env` make hybrid the default (not with `--sandbox`, which has its own).
    /// - Throws: when `--flatfiles` is asked for without S3 keys (the message names the variables).
    static func resolve(_ options: BackfillOptions, settings: SettingsSource) throws -> FlatFileChoice? {
        let restAvailable = options.sandbox || settings.apiKey != nil
        if let directory = options.flatfilesDir {
            return FlatFileChoice(source: .directory(directory), hybrid: restAvailable)
        }
        if options.flatfiles && options.sandbox { return FlatFileChoice(source: .sandbox, hybrid: true) }
        let environment = settings.dotEnv.merging(settings.environment) { $1 }
        if options.flatfiles {
            return FlatFileChoice(source: .s3(try S3Configuration.fromEnvironment(environment)), hybrid: restAvailable)
        }
        if !options.sandbox, let configuration = try? S3Configuration.fromEnvironment(environment) {
            return FlatFileChoice(source: .s3(configuration), hybrid: restAvailable)
        }
        return nil
    }

    var label: String {
        switch source {
        case .s3(let configuration): return "s3 \(configuration.endpoint)/\(configuration.bucket)"
        case .sandbox: return "the sandbox's S3"
        case .directory(let path): return path
        }
    }
}
