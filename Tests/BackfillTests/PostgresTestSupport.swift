import Foundation
import Logging
import PostgresNIO
import PostgresStore
import Storage
import Testing

/// A real PostgreSQL for tests: the throw-away cluster `scripts/test.sh` starts
/// (`scripts/pg-cluster.sh`, exported as `BACKFILL_TEST_PG_URL`); each test gets its own new
/// database, dropped afterwards. Without the cluster a test fails and says how to get one.
enum PostgresTestSupport {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "no PostgreSQL for the tests: BACKFILL_TEST_PG_URL is not set. scripts/test.sh starts one; by hand: "
                + "eval \"$(scripts/pg-cluster.sh start)\" (needs Debian's postgresql package: "
                + "scripts/install-system-packages.sh), run the tests, then scripts/pg-cluster.sh stop \"$BACKFILL_TEST_PG_DIR\""
        }
    }

    /// The cluster's superuser settings (database `postgres`).
    static func adminSettings() throws -> PostgresSettings {
        guard let url = ProcessInfo.processInfo.environment["BACKFILL_TEST_PG_URL"], !url.isEmpty else {
            throw Missing()
        }
        return try PostgresSettings(url: url)
    }

    /// Runs `body` with the settings of a new, empty database, dropped afterwards (even on failure).
    static func withDatabase<T>(_ body: (PostgresSettings) async throws -> T) async throws -> T {
        let admin = try adminSettings()
        let name = "backfill_test_\(UInt64.random(in: 0...UInt64.max))"
        try await execute("CREATE DATABASE \(name)", on: admin)
        var settings = admin
        settings.database = name
        do {
            let result = try await body(settings)
            try await execute("DROP DATABASE \(name) WITH (FORCE)", on: admin)
            return result
        } catch {
            try? await execute("DROP DATABASE \(name) WITH (FORCE)", on: admin)
            throw error
        }
    }

    /// Runs `body` with a store on a new database.
    static func withStore<T>(_ body: (PostgresBarStore) async throws -> T) async throws -> T {
        try await withDatabase { settings in
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger, body)
        }
    }

    /// Runs one statement (no parameters) on a direct connection.
    static func execute(_ sql: String, on settings: PostgresSettings) async throws {
        try await withConnection(settings) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestSupport.quietLogger)
        }
    }

    /// The rows of `sql` as text columns joined by `|`, for comparing whole tables.
    static func rows(_ sql: String, on settings: PostgresSettings) async throws -> [String] {
        try await withConnection(settings) { connection in
            var lines: [String] = []
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestSupport.quietLogger)
            for try await row in rows {
                lines.append(
                    row.map { cell in (try? cell.decode(String?.self)).flatMap { $0 } ?? "NULL" }
                        .joined(separator: "|"))
            }
            return lines
        }
    }

    static func withConnection<T>(_ settings: PostgresSettings, _ body: (PostgresConnection) async throws -> T)
        async throws -> T
    {
        let configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password,
            database: settings.database, tls: .disable)
        let connection = try await PostgresConnection.connect(
            configuration: configuration, id: 1, logger: TestSupport.quietLogger)
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
