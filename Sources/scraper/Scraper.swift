import ArgumentParser
import BackfillCore
import Foundation
import Ingestion
import Logging

@main
struct Scraper: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scraper",
        abstract: "Backfill a local market-data warehouse from the Polygon.io (Massive) API.",
        discussion: """
            Without a subcommand, backfills daily and minute bars for --tickers into the SQLite file --db.
            The API key comes from POLYGON_API_KEY or MASSIVE_API_KEY (environment, then ./.env);
            --sandbox uses the built-in offline Polygon twin instead and needs no key.
            Re-running is safe: stored ranges are not fetched again and rows are upserted.
            """,
        subcommands: [CalendarCommand.self, IndicatorsCommand.self]
    )

    @OptionGroup var options: BackfillOptions

    mutating func validate() throws {
        try options.validate()
    }

    func run() async throws {
        let code = await BackfillCommand(options: options).run()
        if code != 0 { throw ExitCode(code) }
    }
}
