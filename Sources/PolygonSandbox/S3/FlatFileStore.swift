import BackfillCore
import Crypto
import Synchronization

/// One object of the sandbox bucket: its bytes and the metadata S3 reports for it.
struct S3Object: Sendable {
    var key: String
    var bytes: [UInt8]
    /// The quoted MD5 hex of the bytes, as S3 reports a single-part object's ETag.
    var etag: String
    /// When the file was "published": the next day, 16:00 UTC (about 11:00 New York), in ms UTC.
    var lastModifiedMs: Int64
}

/// The sandbox bucket's contents: keys for every session from `S3Settings.firstDate` that is
/// published by "now", each file generated on first use from the synthetic market and cached.
final class FlatFileStore: Sendable {
    static let assetPrefix = "us_stocks_sip"

    let settings: S3Settings
    private let generator: DayFileGenerator
    private let cache: Mutex<(objects: [String: S3Object], order: [String])> = Mutex(([:], []))

    init(settings: S3Settings, market: SyntheticMarket) {
        self.settings = settings
        self.generator = DayFileGenerator(market: market, securityCount: settings.tickerCount)
    }

    /// `us_stocks_sip/minute_aggs_v1/2024/03/2024-03-15.csv.gz`.
    static func key(_ dataset: FlatFileDataset, _ date: LocalDate) -> String {
        let (y, m, _) = date.civil
        let month = m < 10 ? "0\(m)" : "\(m)"
        return "\(assetPrefix)/\(dataset.rawValue)/\(y)/\(month)/\(date).csv.gz"
    }

    /// The dataset and date a key names, when it is well formed.
    static func parse(key: String) -> (FlatFileDataset, LocalDate)? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == assetPrefix, let dataset = FlatFileDataset(rawValue: String(parts[1])),
            parts[4].hasSuffix(".csv.gz"), let date = LocalDate(parts[4].dropLast(7)),
            FlatFileStore.key(dataset, date) == key
        else { return nil }
        return (dataset, date)
    }

    static func publishedMs(_ date: LocalDate) -> Int64 {
        date.adding(days: 1).utcMidnightMilliseconds + 16 * 3_600_000
    }

    /// Every key published by `nowMs`, sorted as S3 sorts (bytewise), optionally under `prefix`.
    func keys(prefix: String, nowMs: Int64) -> [String] {
        let calendar = generator.market.calendar
        let last = LocalDate(utcMilliseconds: nowMs).adding(days: -1)
        guard let range = DayRange(settings.firstDate, last) else { return [] }
        var keys: [String] = []
        for dataset in FlatFileDataset.allCases {
            let datasetPrefix = "\(FlatFileStore.assetPrefix)/\(dataset.rawValue)/"
            guard datasetPrefix.hasPrefix(prefix) || prefix.hasPrefix(datasetPrefix) else { continue }
            for session in calendar.sessions(in: range) where FlatFileStore.publishedMs(session.date) <= nowMs {
                let key = FlatFileStore.key(dataset, session.date)
                if key.hasPrefix(prefix) { keys.append(key) }
            }
        }
        return keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The object under `key`, generating and caching it; nil when there is no such key (yet).
    func object(forKey key: String, nowMs: Int64) throws -> S3Object? {
        if let cached = cache.withLock({ $0.objects[key] }) { return cached }
        guard let (dataset, date) = FlatFileStore.parse(key: key), date >= settings.firstDate,
            FlatFileStore.publishedMs(date) <= nowMs, let csv = generator.csv(dataset, on: date)
        else { return nil }
        let object = try makeObject(key: key, csv: csv, date: date)
        cache.withLock { cache in
            if cache.objects[key] == nil { cache.order.append(key) }
            cache.objects[key] = object
            while cache.order.count > settings.cachedFiles { cache.objects[cache.order.removeFirst()] = nil }
        }
        return object
    }

    /// The same file with every n-th row broken (fault injection); never cached.
    func corruptedObject(forKey key: String, every n: Int, nowMs: Int64) throws -> S3Object? {
        guard let (dataset, date) = FlatFileStore.parse(key: key), FlatFileStore.publishedMs(date) <= nowMs,
            let csv = generator.csv(dataset, on: date, corruptEvery: n)
        else { return nil }
        return try makeObject(key: key, csv: csv, date: date)
    }

    private func makeObject(key: String, csv: [UInt8], date: LocalDate) throws -> S3Object {
        let bytes = try GzipCompressor.compress(csv, level: settings.gzipLevel)
        let digest = Insecure.MD5.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
        return S3Object(key: key, bytes: bytes, etag: "\"\(digest)\"", lastModifiedMs: FlatFileStore.publishedMs(date))
    }
}
