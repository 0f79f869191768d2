import BackfillCore
import Foundation
import PolygonSandbox

/// Files for the flat-file tests: written to a temporary folder, gzip by the sandbox's compressor.
enum FlatFileTestData {
    static let header = "ticker,volume,open,close,high,low,window_start,transactions"

    /// `text` written to a new temporary file, gzip-compressed when `gzip` is true.
    static func write(_ text: String, gzip: Bool = true, name: String = "day.csv.gz") throws -> String {
        try write(bytes: gzip ? GzipCompressor.compress(Array(text.utf8)) : Array(text.utf8), name: name)
    }

    static func write(bytes: [UInt8], name: String = "day.csv.gz") throws -> String {
        let url = try TestSupport.temporaryDirectory().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// A deterministic minute file of `tickers` × `minutes` rows with varied number formats.
    static func minuteFile(tickers: Int, minutes: Int) -> String {
        var lines = [header]
        let start: Int64 = 1_710_489_600_000_000_000
        for t in 0..<tickers {
            let ticker = t % 3 == 0 ? "T\(t)" : (t % 3 == 1 ? "t\(t).WS" : "TICK\(t)")
            for m in 0..<minutes {
                let price = Double(10 + t) + Double(m) / 100
                let volume = m % 2 == 0 ? "\(100 + m)" : "\(100 + m).123456"
                lines.append(
                    "\(ticker),\(volume),\(price),\(price + 0.01),\(price + 0.02),\(price - 0.01),"
                        + "\(start + Int64(m) * 60_000_000_000),\(m + 1)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
