import BackfillCore
import Foundation
import Logging
import Polygon
import PostgresNIO
import PostgresStore
import Storage

/// `pg-dayfile FILE.csv.gz`: one realistic day file into PostgreSQL through the bulk path
/// (``PostgresBulkDay``: binary COPY, merge with ON CONFLICT when stored, ledger, parallel parts), each
/// run into a new database on the server `BACKFILL_BENCH_PG_URL` names (a superuser URL; start one
/// with `scripts/pg-cluster.sh start` and `PG_DEFAULTS=1`, the settings `bench_pg.sh` uses). The peer,
/// `zcat | psql COPY` into a table with the same primary key, runs beside it: `../shared/peers/bench_pg.sh`.
enum PostgresDayFileBench {
    static func run(file: String) async throws {
        guard let url = ProcessInfo.processInfo.environment["BACKFILL_BENCH_PG_URL"] else {
            throw BenchError(
                "set BACKFILL_BENCH_PG_URL to a superuser postgres:// URL (eval \"$(PG_DEFAULTS=1 scripts/pg-cluster.sh start)\" "
                    + "and use its BACKFILL_TEST_PG_URL)")
        }
        let admin = try PostgresSettings(url: url)
        let name = URL(fileURLWithPath: file).lastPathComponent
        guard let day = LocalDate(name.prefix(10)) else { throw BenchError("\(name) names no day (YYYY-MM-DD.csv.gz)") }
        let started = ContinuousClock.now
        let (decoded, _) = try FlatFileDecoder().decodeAggregates(file: file)
        let decode = SQLiteWriteBench.seconds(since: started)
        let batches = DayFileBench.batches(decoded)
        print(
            "decoded \(decoded.count) rows of \(batches.count) tickers in \(DayFileBench.format(decode)) s (not timed below)"
        )
        print("| case | rows | median s | rows/s | runs (s) |")
        print("|---|---:|---:|---:|---|")
        for (parallelism, partMB) in [(1, 8), (2, 8), (4, 8)] {
            var firsts: [Double] = []
            var repeats: [Double] = []
            for _ in 0..<3 {
                let configuration = PostgresBulkDay.Configuration(partBytes: partMB << 20, parallelism: parallelism)
                let (first, again) = try await load(batches, day: day, admin: admin, configuration: configuration)
                firsts.append(first)
                repeats.append(again)
            }
            row(
                "PostgresBulkDay, new database, \(parallelism) connection(s), \(partMB) MB parts", decoded.count, firsts
            )
            row("same, again over the stored day (idempotent re-run)", decoded.count, repeats)
        }
        print("peak RSS \(Int(BackfillBench.peakRSSMegabytes())) MB")
    }

    static func row(_ label: String, _ rows: Int, _ seconds: [Double]) {
        let median = DayFileBench.median(seconds)
        let runs = seconds.map { DayFileBench.format($0) }.joined(separator: ", ")
        print("| \(label) | \(rows) | \(DayFileBench.format(median)) | \(Int(Double(rows) / median)) | \(runs) |")
    }

    /// Into a new database: the first load, then the same day again. Checks the stored count.
    static func load(
        _ batches: [BarBatch], day: LocalDate, admin: PostgresSettings, configuration: PostgresBulkDay.Configuration
    ) async throws -> (first: Double, again: Double) {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let database = "backfill_bench_\(UInt32.random(in: 0...UInt32.max))"
        try await execute("CREATE DATABASE \(database)", admin: admin, logger: logger)
        var settings = admin
        settings.database = database
        settings.maximumConnections = max(configuration.parallelism, 2)
        do {
            let result = try await timedLoads(batches, day: day, settings: settings, configuration: configuration)
            try await execute("DROP DATABASE \(database) WITH (FORCE)", admin: admin, logger: logger)
            return result
        } catch {
            try? await execute("DROP DATABASE \(database) WITH (FORCE)", admin: admin, logger: logger)
            throw error
        }
    }

    private static func timedLoads(
        _ batches: [BarBatch], day: LocalDate, settings: PostgresSettings, configuration: PostgresBulkDay.Configuration
    ) async throws -> (first: Double, again: Double) {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        return try await PostgresBarStore.withStore(settings, logger: logger) { store in
            let bulk = PostgresBulkDay(store: store, configuration: configuration)
            let rows = batches.reduce(0) { $0 + $1.bars.count }
            var started = ContinuousClock.now
            let first = try await bulk.write(day: day, batches: batches)
            let firstSeconds = SQLiteWriteBench.seconds(since: started)
            guard first.changed == rows else { throw BenchError("stored \(first.changed) of \(rows) rows") }
            started = ContinuousClock.now
            let again = try await bulk.write(day: day, batches: batches)
            let againSeconds = SQLiteWriteBench.seconds(since: started)
            guard again.changed == 0 else { throw BenchError("a re-run changed \(again.changed) rows") }
            return (firstSeconds, againSeconds)
        }
    }

    static func execute(_ sql: String, admin: PostgresSettings, logger: Logger) async throws {
        let configuration = PostgresConnection.Configuration(
            host: admin.host, port: admin.port, username: admin.user, password: admin.password,
            database: admin.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
