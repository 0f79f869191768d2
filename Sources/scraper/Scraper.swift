import ArgumentParser
import BackfillCore
import Foundation
import Ingestion
import Logging

/// `scraper`: with no subcommand name, the backfill (`scraper --tickers AMD --years 2`).
@main
struct Scraper: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scraper",
        abstract: "Backfill a local market-data warehouse from the Polygon.io (Massive) API.",
        discussion: """
            Without a subcommand name, runs 'backfill': daily and minute bars for --tickers into the SQLite
            file --db. The API key comes from POLYGON_API_KEY or MASSIVE_API_KEY (environment, then ./.env);
            --sandbox uses the built-in offline Polygon twin instead and needs no key. Re-running is safe:
            stored ranges are not fetched again and rows are upserted.
            """,
        subcommands: [
            Backfill.self, StatusCommand.self, GapsCommand.self, RepairCommand.self, LiveCommand.self,
            CalendarCommand.self, IndicatorsCommand.self, ExportCommand.self,
        ],
        defaultSubcommand: Backfill.self
    )

    /// `scraper --help` also prints the default command's flags, which ArgumentParser would only
    /// show under `scraper backfill --help`; everything else is ArgumentParser's usual main.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--help"] || arguments == ["-h"] {
            print(helpMessage())
            print("\nBACKFILL, the default command (`scraper [backfill] <options>`):\n")
            print(Backfill.helpMessage())
            return
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// The backfill, also the default command.
    struct Backfill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Backfill daily and minute bars for --tickers (the default command).")

        @OptionGroup var options: BackfillOptions

        func validate() throws {
            try options.check()
        }

        func run() async throws {
            let code = await BackfillCommand(options: options).run()
            if code != 0 { throw ExitCode(code) }
        }
    }
}
