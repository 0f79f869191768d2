import Logging
import PostgresNIO

/// TimescaleDB, in one reviewed place. When the server offers the `timescaledb` extension, the bar
/// tables become hypertables (chunks by bar time) with a compression policy for old chunks; when it
/// does not (this project's machines: Debian has no TimescaleDB package), they stay the plain
/// tables of ``PostgresSchema`` with the same primary keys, and everything else is identical.
///
/// The known trap: an upsert into a compressed chunk is very slow (TimescaleDB decompresses the
/// affected segments row by row). A backfill writes history, which is exactly what the policy has
/// compressed, so every bar write first decompresses the chunks its rows fall in
/// (``decompressSQL(table:)``, in the write's transaction); the policy compresses them again later.
public enum PostgresTimescale {
    /// What the database uses for its bar tables.
    public enum Layout: Sendable, Equatable, CustomStringConvertible {
        /// Plain tables: the extension is not available on the server.
        case plain
        /// Hypertables with compression; `version` is the installed extension's.
        case hypertables(version: String)

        public var description: String {
            switch self {
            case .plain: return "plain tables (TimescaleDB not available on this server)"
            case .hypertables(let version): return "TimescaleDB \(version) hypertables, compressed after 30 days"
            }
        }
    }

    /// Chunk intervals in ms of bar time: a week of minutes (about 10,000 tickers × 5,000 minutes
    /// a chunk at most), a year of days.
    static let chunkMs: [String: Int64] = ["bars_minute": 7 * 86_400_000, "bars_day": 365 * 86_400_000]
    /// Chunks whose bars are all older than this (by the bars' time, not the write's) get compressed.
    static let compressAfterMs: Int64 = 30 * 86_400_000

    /// The extension's version when the server can install it, else nil.
    static func availableVersion(_ connection: PostgresConnection, logger: Logger) async throws -> String? {
        let rows = try await connection.query(
            "SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'", logger: logger)
        for try await version in rows.decode(String.self) { return version }
        return nil
    }

    /// Sets the layout up once per database (idempotent: every statement checks first). Without the
    /// extension nothing happens. With it, a failure (e.g. `timescaledb` missing from
    /// `shared_preload_libraries`) is an error naming the fix, not a silent plain layout.
    static func setUp(_ connection: PostgresConnection, logger: Logger) async throws -> Layout {
        guard let version = try await availableVersion(connection, logger: logger) else { return .plain }
        for statement in setUpStatements {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
        }
        return .hypertables(version: version)
    }

    /// The DDL, in order. Bar times are `bigint` ms, so the hypertables are integer-partitioned and
    /// the compression policy needs an "integer now" function giving the current time in ms.
    static var setUpStatements: [String] {
        var statements = [
            "CREATE EXTENSION IF NOT EXISTS timescaledb",
            """
            CREATE OR REPLACE FUNCTION backfill_now_ms() RETURNS bigint LANGUAGE sql STABLE
            AS 'SELECT (extract(epoch FROM now()) * 1000)::bigint'
            """,
        ]
        for (table, chunk) in chunkMs.sorted(by: { $0.key < $1.key }) {
            statements += [
                // migrate_data: a database that already holds bars is converted in place.
                """
                SELECT create_hypertable('\(table)', 't', chunk_time_interval => \(chunk)::bigint,
                    migrate_data => true, if_not_exists => true)
                """,
                "SELECT set_integer_now_func('\(table)', 'backfill_now_ms', replace_if_exists => true)",
                """
                ALTER TABLE \(table) SET (timescaledb.compress, timescaledb.compress_segmentby = 'security_id',
                    timescaledb.compress_orderby = 't')
                """,
                "SELECT add_compression_policy('\(table)', \(compressAfterMs)::bigint, if_not_exists => true)",
            ]
        }
        return statements
    }

    /// Decompresses the compressed chunks of `table` holding bars between $1 and $2 (ms, inclusive)
    /// before a write touches them. The catalog view gives each chunk's exact integer range.
    static func decompressSQL(table: String) -> String {
        """
        SELECT decompress_chunk(format('%I.%I', chunk_schema, chunk_name)::regclass, true)
        FROM timescaledb_information.chunks
        WHERE hypertable_name = '\(table)' AND is_compressed
            AND range_start_integer <= $2::bigint AND range_end_integer > $1::bigint
        """
    }
}
