import AsyncHTTPClient
import BackfillCore
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Storage
import WebUI

/// The gui's heaviest chart request: one year of one symbol's minute bars (04:00–20:00, ~242,000)
/// resampled to 5m with every indicator, over loopback HTTP to a live `WebApp`. Reports the
/// handler's own time (its `Server-Timing` header: read, resample, indicators, JSON) and the round
/// trip, p50/p99, and the response size; then 32 connections for 10 s: requests/s, p99, errors.
enum GUIAPIBench {
    static let path = "/api/bars?symbol=BENCH&timeframe=5m&from=2024-01-01&to=2024-12-31&indicators=all"

    static func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gui-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var logger = Logger(label: "gui-bench")
        logger.logLevel = .warning
        let store = try SQLiteBarStore(path: folder.appendingPathComponent("bench.sqlite").path, logger: logger)
        let stored = try await fill(store)
        print("stored \(stored) minute bars of BENCH (2024, 04:00-20:00)")
        let readStart = ContinuousClock.now
        let read = try await store.bars(
            symbol: "BENCH", timeframe: .minute, fromMs: 0, toMs: .max, limit: 1_000_000, adjustment: .none)
        print(
            "store read alone: \(read.count) bars in \(percentile([milliseconds(ContinuousClock.now - readStart)], 0.5)) ms"
        )
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = WebApp(store: store).makeApplication(host: "127.0.0.1", port: 0, logger: logger) { port in
            continuation.yield(port)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            let url = "http://127.0.0.1:\(port)\(path)"
            try await sequential(url)
            try await concurrent(url, connections: 32, seconds: 10)
            group.cancelAll()
        }
    }

    /// `gui-api-db PATH`: the benchmark's warehouse as a SQLite file, for a release `gui` under `wrk`.
    static func writeDatabase(path: String) async throws {
        var logger = Logger(label: "gui-bench")
        logger.logLevel = .warning
        let stored = try await fill(try SQLiteBarStore(path: path, logger: logger))
        print("stored \(stored) minute bars of BENCH (2024, 04:00-20:00) in \(path); request \(Self.path)")
    }

    /// One year of synthetic minute bars, written as one batch per month.
    static func fill(_ store: SQLiteBarStore) async throws -> Int {
        let calendar = TradingCalendar()
        var random = SplitMix64(seed: 5)
        var price = 100.0
        var total = 0
        for month in 1...12 {
            guard let first = LocalDate(year: 2024, month: month, day: 1),
                let range = DayRange(first, first.adding(days: LocalDate.daysIn(month: month, year: 2024) - 1))
            else { continue }
            var bars: [Bar] = []
            for hours in calendar.sessions(in: range) {
                for minute in stride(from: hours.preMarketOpenMs, to: hours.postMarketCloseMs, by: 60_000) {
                    let open = price
                    price = max(1, price * (1 + (random.nextUnit() - 0.5) / 500))
                    bars.append(
                        Bar(
                            windowStartMs: minute, open: open, high: max(open, price) * 1.0005,
                            low: min(open, price) * 0.9995, close: price, volume: Double(100 + random.next() % 5_000),
                            vwap: (open + price) / 2, transactions: 10))
                }
            }
            total += bars.count
            _ = try await store.write(BarBatch(symbol: "BENCH", timeframe: .minute, bars: bars), covering: nil)
        }
        return total
    }

    static func sequential(_ url: String, requests: Int = 60) async throws {
        var server: [Double] = []
        var roundTrip: [Double] = []
        var bytes = 0
        for index in 0..<requests {
            let start = ContinuousClock.now
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 64 << 20)
            let elapsed = milliseconds(ContinuousClock.now - start)
            guard response.status == .ok else { throw BenchFailure("status \(response.status) for \(url)") }
            if index < 3 { continue }  // warm-up: page cache, first allocations
            bytes = body.readableBytes
            roundTrip.append(elapsed)
            let timing = response.headers[WebApp.serverTiming.rawName].first ?? ""
            server.append(Double(timing.split(separator: "=").last ?? "") ?? .nan)
        }
        print(
            "5m + all indicators, one year: server p50 \(percentile(server, 0.5)) ms, p99 \(percentile(server, 0.99)) ms;"
                + " round trip p50 \(percentile(roundTrip, 0.5)) ms, p99 \(percentile(roundTrip, 0.99)) ms;"
                + " \(bytes / 1_024) KiB per response (\(server.count) requests)")
    }

    static func concurrent(_ url: String, connections: Int, seconds: Double) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1_000))
        let started = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for _ in 0..<connections {
                group.addTask {
                    var latencies: [Double] = []
                    var errors = 0
                    while ContinuousClock.now < deadline {
                        let start = ContinuousClock.now
                        do {
                            let response = try await HTTPClient.shared.execute(
                                HTTPClientRequest(url: url), timeout: .seconds(120))
                            _ = try await response.body.collect(upTo: 64 << 20)
                            if response.status != .ok { errors += 1 }
                        } catch {
                            errors += 1
                        }
                        latencies.append(milliseconds(ContinuousClock.now - start))
                    }
                    return (latencies, errors)
                }
            }
            var all: [([Double], Int)] = []
            for try await result in group { all.append(result) }
            return all
        }
        let latencies = results.flatMap(\.0)
        let errors = results.map(\.1).reduce(0, +)
        let wall = milliseconds(ContinuousClock.now - started) / 1_000
        let rate = (Double(latencies.count) / wall * 10).rounded() / 10
        print(
            "\(connections) connections for \(Int(seconds)) s: \(latencies.count) requests, \(rate) req/s,"
                + " p50 \(percentile(latencies, 0.5)) ms, p99 \(percentile(latencies, 0.99)) ms, \(errors) errors")
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) * 1e-15
    }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.filter { !$0.isNaN }.sorted()
        guard !sorted.isEmpty else { return .nan }
        let value = sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction + 0.5))]
        return (value * 10).rounded() / 10
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
