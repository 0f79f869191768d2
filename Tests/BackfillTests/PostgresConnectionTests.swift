import BackfillCore
import Foundation
import PostgresStore
import Storage
import Testing

/// Configuration, connection failures (one line each, no password), migrations and server settings.
@Suite("PostgreSQL connection and configuration")
struct PostgresConnectionTests {
    @Test func aURLGivesEveryPartAndItsDescriptionHidesThePassword() throws {
        let settings = try PostgresSettings(
            url: "postgres://alice:s%40cret@db.example:6543/warehouse?sslmode=require&statement_timeout=1500")
        #expect(settings.host == "db.example" && settings.port == 6543 && settings.database == "warehouse")
        #expect(settings.user == "alice" && settings.password == "s@cret" && settings.tls == .require)
        #expect(settings.statementTimeoutMs == 1_500)
        #expect("\(settings)" == "postgres://alice@db.example:6543/warehouse")
        #expect(!"\(settings)".contains("cret"))
        // TLS is off by default on loopback only.
        #expect(try PostgresSettings(url: "postgres://u@127.0.0.1/db").tls == .disable)
        #expect(try PostgresSettings(url: "postgres://u@db.example/db").tls == .prefer)
        #expect(
            PostgresSettings.redact("postgres://alice:topsecret@h:1/d") == "postgres://alice:***@h:1/d")
    }

    /// What the gui gives the monitor's `scraper`: a `--db` without the password that, with
    /// `DB_PASSWORD` in its environment, is the same settings again (TLS and timeout included).
    @Test(arguments: [
        "postgres://alice:s%40cret@db.example:6543/warehouse?sslmode=require&statement_timeout=1500",
        "postgres://bob:pw@127.0.0.1:5432/trading", "postgres://bob:pw@127.0.0.1/trading?sslmode=prefer",
        "postgres://b%40b:p%3Aw@db.example/my%20db?sslmode=disable", "postgres://carol:x@[::1]:5433/bars",
    ])
    func theURLForAChildProcessHasNoPasswordAndReadsBackTheSame(_ url: String) throws {
        let settings = try PostgresSettings(url: url)
        let password = try #require(settings.password)
        let child = StoreChoice.postgres(settings).forChildProcess
        #expect(child.db == settings.urlWithoutPassword && !child.db.contains(password), "\(child.db)")
        #expect(child.environment == ["DB_PASSWORD": password])
        #expect(try PostgresSettings(url: child.db, environment: child.environment) == settings, "\(child.db)")
        #expect(StoreChoice.sqlite(path: "w.sqlite").forChildProcess.environment.isEmpty)
    }

    @Test func theEnvironmentFillsWhatTheURLLeavesOut() throws {
        let environment = [
            "DB_HOST": "10.0.0.5", "DB_PORT": "5433", "DB_NAME": "bars", "DB_USER": "backfill", "DB_PASSWORD": "pw1",
        ]
        let fromEnvironment = try #require(try PostgresSettings.fromEnvironment(environment))
        #expect(fromEnvironment.host == "10.0.0.5" && fromEnvironment.port == 5433)
        #expect(fromEnvironment.database == "bars" && fromEnvironment.user == "backfill")
        #expect(fromEnvironment.password == "pw1")
        #expect(try PostgresSettings.fromEnvironment([:]) == nil)
        let url = try PostgresSettings(url: "postgres://other@127.0.0.1/x", environment: environment)
        #expect(url.user == "other" && url.password == "pw1" && url.port == 5433 && url.database == "x")
        let error = #expect(throws: StorageError.self) {
            try PostgresSettings.fromEnvironment(["DB_HOST": "h", "DB_PORT": "54x"])
        }
        #expect(error?.message.contains("DB_PORT=54x") == true)
        let mode = #expect(throws: StorageError.self) {
            try PostgresSettings(url: "postgres://u:pw9@h/d?sslmode=maybe")
        }
        #expect(mode?.message.contains("sslmode=maybe") == true && mode?.message.contains("pw9") == false)
    }

    @Test func anUnreachableServerIsOneLineNamingHostAndPort() async throws {
        let port = try RedisServer.freePort()
        let settings = PostgresSettings(
            host: "127.0.0.1", port: port, database: "backfill", user: "postgres", password: "hunter2-secret")
        let error = await #expect(throws: StorageError.self) {
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { _ in }
        }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(error?.code == .cannotOpen)
        #expect(text.contains("cannot reach PostgreSQL at 127.0.0.1:\(port)") && text.contains("DB_HOST/DB_PORT"))
        #expect(!text.contains("\n") && !text.contains("hunter2"))
    }

    @Test func wrongCredentialsAreOneLineSayingSo() async throws {
        var settings = try PostgresTestSupport.adminSettings()
        settings.password = "wrong-password-77"
        let error = await #expect(throws: StorageError.self) {
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { _ in }
        }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(error?.code == .cannotOpen)
        #expect(text.contains("rejected user 'postgres'") && text.contains("DB_PASSWORD"))
        #expect(!text.contains("\n") && !text.contains("wrong-password-77"))
        #expect(!text.contains(try PostgresTestSupport.adminSettings().password ?? "-"))
    }

    @Test func aMissingDatabaseIsOneLineWithHowToCreateIt() async throws {
        var settings = try PostgresTestSupport.adminSettings()
        settings.database = "no_such_warehouse"
        let error = await #expect(throws: StorageError.self) {
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { _ in }
        }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(error?.code == .cannotOpen)
        #expect(text.contains("database 'no_such_warehouse' does not exist") && text.contains("createdb"))
        #expect(!text.contains("\n") && !text.contains(settings.password ?? "-"))
    }

    /// TLS is optional: `sslmode=require` against a server without TLS is refused in one line.
    @Test func requiredTLSAgainstAPlainServerIsOneLine() async throws {
        var settings = try PostgresTestSupport.adminSettings()
        settings.tls = .require
        let error = await #expect(throws: StorageError.self) {
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { _ in }
        }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("does not accept TLS") && text.contains("sslmode=disable"), "\(text)")
        #expect(!text.contains("\n") && !text.contains(settings.password ?? "-"))
    }

    /// Several processes opening one new database at once migrate it once; reopening changes nothing.
    @Test func migrationsAreVersionedAndRunOnceUnderConcurrentOpens() async throws {
        try await PostgresTestSupport.withDatabase { (settings) async throws in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) {
                            (store) async throws in
                            _ = try await store.inventory()
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { _ in }
            let versions = try await PostgresTestSupport.rows(
                "SELECT version::text, name FROM backfill_migrations ORDER BY version", on: settings)
            #expect(
                versions == [
                    "1|bars-securities-coverage-runs-ledger", "2|work-tasks", "3|indicator-state-bytes",
                    "4|actions-news-sync-tasks-quarantine",
                ])
        }
    }

    @Test func everyConnectionHasTheStatementTimeout() async throws {
        try await PostgresTestSupport.withDatabase { (settings) async throws in
            var settings = settings
            settings.statementTimeoutMs = 1_234
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { (store) async throws in
                #expect(try await store.serverSetting("statement_timeout") == "1234ms")
                #expect(try await store.serverSetting("application_name") == "backfill")
            }
        }
    }

    /// This machine's PostgreSQL has no TimescaleDB package: the store says so and keeps plain
    /// tables with their primary keys; no extension or hypertable function is created.
    @Test func withoutTimescaleDBTheBarTablesArePlainWithTheirKeys() async throws {
        try await PostgresTestSupport.withDatabase { (settings) async throws in
            let available = try await PostgresTestSupport.rows(
                "SELECT name FROM pg_available_extensions WHERE name = 'timescaledb'", on: settings)
            try #require(available.isEmpty, "this test is for a server without TimescaleDB")
            try await PostgresBarStore.withStore(settings, logger: TestSupport.quietLogger) { (store) async throws in
                #expect(store.layout == .plain)
                #expect(store.layout.description.contains("TimescaleDB not available"))
            }
            let extensions = try await PostgresTestSupport.rows(
                "SELECT extname FROM pg_extension WHERE extname = 'timescaledb'", on: settings)
            #expect(extensions.isEmpty)
            let functions = try await PostgresTestSupport.rows(
                "SELECT proname FROM pg_proc WHERE proname = 'backfill_now_ms'", on: settings)
            #expect(functions.isEmpty)
            let keys = try await PostgresTestSupport.rows(
                """
                SELECT c.relname || ':' || pg_get_constraintdef(k.oid) FROM pg_constraint k
                JOIN pg_class c ON c.oid = k.conrelid
                WHERE k.contype = 'p' AND c.relname IN ('bars_minute', 'bars_day') ORDER BY c.relname
                """, on: settings)
            #expect(
                keys == ["bars_day:PRIMARY KEY (security_id, t)", "bars_minute:PRIMARY KEY (security_id, t)"],
                "\(keys)")
        }
    }
}
