import NIOCore
import BackfillCore
import Foundation
import Logging
import PostgresNIO
import Storage

extension PostgresBarStore {
    public func coverage(symbol: String, timeframe: Timeframe) async throws -> [DayRange] {
        try await read("coverage of \(symbol) \(timeframe)") { [self] connection in
            let securities = PostgresSecurities(connection: connection, logger: logger)
            guard let id = try await securities.existing(ticker: symbol) else { return [] }
            return try await PostgresReads.ranges(connection, securityID: id, timeframe: timeframe, logger)
        }
    }

    public func coverageForPlanning(symbol: String, timeframe: Timeframe) async throws -> [DayRange] {
        try await read("coverage of \(symbol) \(timeframe)") { [self] connection in
            let securities = PostgresSecurities(connection: connection, logger: logger)
            guard let id = try await securities.existing(ticker: symbol) else { return [] }
            var ranges = try await PostgresReads.ranges(connection, securityID: id, timeframe: timeframe, logger)
            let rows = try await connection.query(
                """
                SELECT first_day::text, last_day::text FROM ticker_names
                WHERE security_id = \(id) AND ticker = \(symbol)
                """, logger: logger)
            for try await (first, last) in rows.decode((String?, String?).self) {
                if let first = first.flatMap({ LocalDate($0) }),
                    let before = DayRange(PostgresReads.dawn, first.adding(days: -1))
                {
                    ranges.append(before)
                }
                if let last = last.flatMap({ LocalDate($0) }),
                    let after = DayRange(last.adding(days: 1), PostgresReads.dusk)
                {
                    ranges.append(after)
                }
            }
            return DayRange.merged(ranges)
        }
    }

    public func bars(symbol: String, timeframe: Timeframe, fromMs: Int64, toMs: Int64, limit: Int) async throws -> [Bar]
    {
        let table = try PostgresSchema.table(for: timeframe)
        return try await read("bars of \(symbol) \(timeframe)") { [self] connection in
            let securities = PostgresSecurities(connection: connection, logger: logger)
            guard let id = try await securities.existing(ticker: symbol) else { return [] }
            let rows = try await connection.query(
                """
                SELECT t, o, h, l, c, v, vw, n FROM \(unescaped: table)
                WHERE security_id = \(id) AND t BETWEEN \(fromMs) AND \(toMs) ORDER BY t LIMIT \(limit)
                """, logger: logger)
            var bars: [Bar] = []
            for try await (t, o, h, l, c, v, vw, n) in rows.decode(
                (Int64, Double, Double, Double, Double, Double, Double?, Int64?).self)
            {
                bars.append(
                    Bar(windowStartMs: t, open: o, high: h, low: l, close: c, volume: v, vwap: vw, transactions: n))
            }
            return bars
        }
    }

    public func inventory() async throws -> [InventoryRow] {
        try await read("inventory") { [self] connection in
            var result: [InventoryRow] = []
            for (table, label) in [("bars_day", "1d"), ("bars_minute", "1m")] {
                let rows = try await connection.query(
                    """
                    SELECT s.ticker, COUNT(*), MIN(b.t), MAX(b.t), s.delist_date::text,
                        (SELECT string_agg(n.ticker, ',') FROM ticker_names n
                         WHERE n.security_id = s.id AND n.ticker != s.ticker)
                    FROM \(unescaped: table) b JOIN securities s ON s.id = b.security_id
                    GROUP BY s.id ORDER BY s.ticker
                    """, logger: logger)
                for try await (ticker, count, first, last, delisted, former) in rows.decode(
                    (String, Int64, Int64?, Int64?, String?, String?).self)
                {
                    result.append(
                        InventoryRow(
                            symbol: ticker, timeframe: label, bars: Int(count), firstMs: first, lastMs: last,
                            delistedOn: delisted,
                            formerTickers: former?.split(separator: ",").map(String.init) ?? []))
                }
            }
            return result.sorted { ($0.symbol, $0.timeframe) < ($1.symbol, $1.timeframe) }
        }
    }

    public func indicatorState(symbol: String, timeframe: Timeframe) async throws -> (lastMs: Int64, state: [UInt8])? {
        let found: IndicatorRow? = try await read("indicator state of \(symbol) \(timeframe)") { [self] connection in
            let securities = PostgresSecurities(connection: connection, logger: logger)
            guard let id = try await securities.existing(ticker: symbol) else { return nil }
            let rows = try await connection.query(
                """
                SELECT last_t, state FROM indicator_state WHERE security_id = \(id) AND timeframe = \(timeframe.description)
                """, logger: logger)
            for try await (last, state) in rows.decode((Int64, ByteBuffer).self) {
                return IndicatorRow(lastMs: last, state: Array(state.readableBytesView))
            }
            return nil
        }
        return found.map { (lastMs: $0.lastMs, state: $0.state) }
    }

    /// The value of a server setting on the store's connections (`statement_timeout`, `server_version`).
    public func serverSetting(_ name: String) async throws -> String {
        try await read("setting \(name)") { [self] connection in
            let rows = try await connection.query("SELECT current_setting(\(name))", logger: logger)
            for try await value in rows.decode(String.self) { return value }
            return ""
        }
    }

    public func recentRuns(limit: Int) async throws -> [RunRecord] {
        try await read("runs") { [self] connection in
            let rows = try await connection.query(
                """
                SELECT started_at_ms, finished_at_ms, status, tickers, bars_received, bars_changed, requests, errors,
                       report
                FROM runs ORDER BY id DESC LIMIT \(limit)
                """, logger: logger)
            var runs: [RunRecord] = []
            for try await (started, finished, status, tickers, received, changed, requests, errors, report)
                in rows.decode((Int64, Int64, String, String, Int64, Int64, Int64, String, String?).self)
            {
                let decoded = (try? JSONDecoder().decode([String].self, from: Data(errors.utf8))) ?? []
                runs.append(
                    RunRecord(
                        startedAtMs: started, finishedAtMs: finished, status: status,
                        tickers: tickers.split(separator: ",").map(String.init), barsReceived: Int(received),
                        barsChanged: Int(changed), requests: Int(requests), errors: decoded, report: report))
            }
            return runs
        }
    }
}

/// A saved indicator state (a tuple is not `Sendable`-friendly across the pool's closure).
struct IndicatorRow: Sendable {
    var lastMs: Int64
    var state: [UInt8]
}

/// Reads shared by the store's methods and its transactions.
enum PostgresReads {
    /// Bounds of "before the ticker existed" and "after it stopped" for planning (as SQLite's).
    static let dawn = LocalDate(year: 1900, month: 1, day: 1)!
    static let dusk = LocalDate(year: 2199, month: 12, day: 31)!

    /// A security's fetched ranges of a timeframe, sorted.
    static func ranges(_ connection: PostgresConnection, securityID: Int64, timeframe: Timeframe, _ logger: Logger)
        async throws -> [DayRange]
    {
        let rows = try await connection.query(
            """
            SELECT first_day::text, last_day::text FROM coverage
            WHERE security_id = \(securityID) AND timeframe = \(timeframe.description) ORDER BY first_day
            """, logger: logger)
        var ranges: [DayRange] = []
        for try await (first, last) in rows.decode((String, String).self) {
            guard let first = LocalDate(first), let last = LocalDate(last), let range = DayRange(first, last) else {
                continue
            }
            ranges.append(range)
        }
        return ranges
    }
}
