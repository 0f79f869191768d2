import BackfillCore

/// The tickers of the sandbox's day files: a deterministic list, sorted as Polygon sorts rows
/// (bytewise), that always holds the names that trip naive CSV readers.
public enum FlatFileUniverse {
    /// Tickers a CSV reader must keep as distinct strings: NaN/NULL/boolean look-alikes and a
    /// case pair that collides on case-insensitive file systems.
    public static let tricky = ["NA", "NAN", "NULL", "TRUE", "TpC", "TPC"]
    static let wellKnown = ["A", "AAPL", "AMD", "BRK.A", "BRK.B", "MSFT", "NVDA", "SPY", "TSLA"]

    /// `count` tickers (at least the tricky and well-known ones), the same for the same seed.
    public static func tickers(count: Int, seed: UInt64) -> [String] {
        var names = Set(tricky + wellKnown)
        var rng = SplitMix64(seed: seed ^ 0x5449_434B_4552_5321)
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        while names.count < count {
            let length = 1 + Int(rng.next() % 4)
            var bytes = (0..<length).map { _ in letters[Int(rng.next() % 26)] }
            if rng.next() % 40 == 0 { bytes += Array(".WS".utf8) }
            names.insert(String(decoding: bytes, as: UTF8.self))
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
