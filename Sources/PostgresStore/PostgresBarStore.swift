import BackfillCore
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Storage

/// The store protocols on PostgreSQL, through a pool of connections (postgres-nio's
/// `PostgresClient`). Same tables, keys and semantics as ``SQLiteBarStore``: every write is an
/// idempotent upsert, and a write's bars, ledger rows and coverage commit in one transaction.
///
/// Open it with ``withStore(_:logger:_:)``, which checks the server, the credentials and the
/// database first (one clear line for each failure), migrates, and runs the pool around `body`.
public final class PostgresBarStore: BarStore {
    public let settings: PostgresSettings
    let client: PostgresClient
    let logger: Logger
    let reconnect: PostgresReconnect
    /// Plain tables, or TimescaleDB hypertables when the server has the extension.
    public let layout: PostgresTimescale.Layout

    private init(
        settings: PostgresSettings, client: PostgresClient, logger: Logger, reconnect: PostgresReconnect,
        layout: PostgresTimescale.Layout
    ) {
        self.settings = settings
        self.client = client
        self.logger = logger
        self.reconnect = reconnect
        self.layout = layout
    }

    /// What the store says while the server is away: a transaction retried, the server back.
    public enum ConnectionEvent: Sendable, Equatable {
        /// Transactions fail on a lost or refused connection and are retried (`retries` so far);
        /// reported at most once a second.
        case retrying(retries: Int, reason: String)
        /// The server answers again, after an outage of about `seconds`.
        case reconnected(seconds: Double)
    }

    /// Connects, migrates, and runs `body` with the store while its pool runs; the pool closes when
    /// `body` returns or throws. A transaction that fails on a lost connection is retried until
    /// ``PostgresSettings/reconnectDeadline``, and `onConnectionEvent` hears about it.
    /// - Throws: ``StorageError`` (`cannot-open`) when the server is unreachable, rejects the
    ///   credentials or lacks the database — one line saying which and how to fix it; (`migration`)
    ///   when the schema cannot be brought up to date; and whatever `body` throws.
    public static func withStore<Result>(
        _ settings: PostgresSettings, logger: Logger,
        onConnectionEvent: @escaping @Sendable (ConnectionEvent) -> Void = { _ in },
        _ body: (PostgresBarStore) async throws -> Result
    ) async throws -> Result {
        let layout = try await prepare(settings, logger: logger)
        // The pool warns when a lease comes before its run() task is scheduled (a harmless race
        // here: the lease waits); below debug, only its errors reach the user's log.
        var background = logger
        if logger.logLevel > .debug { background.logLevel = .error }
        let client = PostgresClient(
            configuration: settings.clientConfiguration, eventLoopGroup: PostgresClient.defaultEventLoopGroup,
            backgroundLogger: background)
        let reconnect = PostgresReconnect(settings: settings, onEvent: onConnectionEvent)
        let store = PostgresBarStore(
            settings: settings, client: client, logger: logger, reconnect: reconnect, layout: layout)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }

    /// One direct connection before the pool: a pool retries failed connections forever, so the
    /// reason (refused, wrong password, no database) would surface only as a hang.
    static func prepare(_ settings: PostgresSettings, logger: Logger) async throws -> PostgresTimescale.Layout {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: try settings.connectionConfiguration, id: 0, logger: logger)
        } catch {
            throw StorageError(.cannotOpen, PostgresFailure.connectMessage(error, settings: settings))
        }
        do {
            let applied = try await PostgresSchema.migrate(connection, logger: logger)
            if !applied.isEmpty {
                logger.info("migrated PostgreSQL \(settings.redacted) to version \(applied.max() ?? 0)")
            }
        } catch {
            try? await connection.close()
            throw PostgresFailure.storageError(.migration, "cannot migrate the PostgreSQL database \(settings)", error)
        }
        do {
            let layout = try await PostgresTimescale.setUp(connection, logger: logger)
            try? await connection.close()
            logger.debug("PostgreSQL \(settings.redacted) bar tables: \(layout)")
            return layout
        } catch {
            try? await connection.close()
            throw PostgresFailure.storageError(
                .migration,
                "cannot set up TimescaleDB in \(settings) (is timescaledb in shared_preload_libraries?)", error)
        }
    }

    /// Runs `body` in one transaction, again (whole) when the connection was lost; errors become
    /// ``StorageError``s that say what failed where.
    func transaction<T: Sendable>(
        _ what: @autoclosure () -> String, code: StorageError.Code = .write,
        _ body: @escaping @Sendable (PostgresWriteContext) async throws -> T
    ) async throws -> T {
        do {
            return try await reconnect.run { [self] in
                try await reconnect.withConnection(client) { [logger, layout] connection in
                    try await PostgresReconnect.transaction(connection, logger: logger) { connection in
                        try await body(
                            PostgresWriteContext(connection: connection, logger: logger, timescale: layout != .plain))
                    }
                }
            }
        } catch {
            throw PostgresFailure.storageError(code, "cannot \(what()) in \(settings)", error)
        }
    }

    /// Runs `body` on a pooled connection (autocommit), again when the connection was lost; errors
    /// name what was read.
    func read<T: Sendable>(
        _ what: @autoclosure () -> String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await reconnect.run { [self] in try await reconnect.withConnection(client, body) }
        } catch {
            throw PostgresFailure.storageError(.read, "cannot read \(what()) from \(settings)", error)
        }
    }
}

/// What a transaction's body works with.
struct PostgresWriteContext {
    let connection: PostgresConnection
    let logger: Logger
    /// The bar tables are hypertables: writes decompress the chunks they touch first.
    var timescale = false

    var writer: PostgresBarWriter { PostgresBarWriter(connection: connection, logger: logger, timescale: timescale) }
    var securities: PostgresSecurities { PostgresSecurities(connection: connection, logger: logger) }
}

extension PostgresSettings {
    var startupParameters: [(String, String)] {
        [("statement_timeout", String(statementTimeoutMs)), ("application_name", "backfill")]
    }

    var connectionConfiguration: PostgresConnection.Configuration {
        get throws {
            try makeConnectionConfiguration()
        }
    }

    private func makeConnectionConfiguration() throws -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database,
            tls: try connectionTLS)
        configuration.options.connectTimeout = .seconds(connectTimeout.components.seconds)
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: clientTLS)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = connectTimeout
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    /// The probe connection's TLS; a context that cannot be made (no system trust store) is a
    /// clear error rather than a silent plain connection.
    private var connectionTLS: PostgresConnection.Configuration.TLS {
        get throws {
            switch tls {
            case .disable: return .disable
            case .prefer: return .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        }
    }

    private var clientTLS: PostgresClient.Configuration.TLS {
        switch tls {
        case .disable: return .disable
        case .prefer: return .prefer(TLSConfiguration.makeClientConfiguration())
        case .require: return .require(TLSConfiguration.makeClientConfiguration())
        }
    }
}
