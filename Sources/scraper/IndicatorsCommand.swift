import ArgumentParser
import BackfillCore
import Foundation

/// `scraper indicators FILE.csv`: indicator values for a CSV of bars, so quants can check us against
/// their own tools. Parsing and rendering live in `IndicatorCSV` (BackfillCore); this only reads flags
/// and does the file I/O.
struct IndicatorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicators",
        abstract: "Compute SMA, EMA, RSI, MACD, Bollinger Bands and session VWAP for a CSV of bars.",
        discussion: """
            Input: a header with symbol,t,o,h,l,c,v (t = bar start in milliseconds UTC), rows in any order.
            Output (stdout): symbol,t,sma20,ema20,rsi14,macd,macd_signal,macd_hist,bb_upper,bb_middle,bb_lower,vwap
            sorted by symbol and time; empty cells during warm-up; numbers with 17 significant digits.
            Values follow TA-Lib's conventions; VWAP weights the typical price (h+l+c)/3 and resets at
            New York midnight.
            """)

    @Argument(help: "CSV file of bars (header symbol,t,o,h,l,c,v).")
    var file: String

    @Option(help: "SMA period in bars.")
    var sma: Int = 20

    @Option(help: "EMA period in bars.")
    var ema: Int = 20

    @Option(help: "RSI period in bars.")
    var rsi: Int = 14

    @Option(help: "MACD fast,slow,signal periods.")
    var macd: String = "12,26,9"

    @Option(help: "Bollinger period,standard deviations.")
    var bb: String = "20,2"

    func validate() throws {
        _ = try engineConfiguration()
    }

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw IndicatorsCommandError(message: "cannot read \(file): \(error.localizedDescription)")
        }
        do {
            let output = try IndicatorCSV.render(IndicatorCSV.parse(text), configuration: engineConfiguration())
            FileHandle.standardOutput.write(Data(output.utf8))
        } catch let error as IndicatorCSVError {
            throw IndicatorsCommandError(message: "\(file) \(error)")
        }
    }

    /// The engine configuration from the flags.
    /// - Throws: `ValidationError` naming the bad flag.
    func engineConfiguration() throws -> IndicatorEngine.Configuration {
        guard let macdPeriods = IndicatorEngine.Configuration.MACDPeriods(argument: macd) else {
            throw ValidationError("--macd expects fast,slow,signal such as 12,26,9; got '\(macd)'")
        }
        guard let bands = IndicatorEngine.Configuration.BollingerParameters(argument: bb) else {
            throw ValidationError("--bb expects period,deviations such as 20,2; got '\(bb)'")
        }
        let configuration = IndicatorEngine.Configuration(
            smaPeriod: sma, emaPeriod: ema, rsiPeriod: rsi, macd: macdPeriods, bollinger: bands, vwap: .typicalPrice)
        do {
            try configuration.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        return configuration
    }
}

/// A failure of `scraper indicators` after its flags were accepted (unreadable or malformed input).
struct IndicatorsCommandError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
