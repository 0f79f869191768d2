// swift-tools-version:6.1
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Backfill",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "scraper", targets: ["scraper"]),
        .executable(name: "gui", targets: ["gui"]),
        .executable(name: "polygon-sandbox", targets: ["polygon-sandbox"]),
        .executable(name: "backfill-bench", targets: ["backfill-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // SHA-256 / HMAC for S3 Signature V4 (already in the graph through async-http-client's TLS stack).
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        // PostgreSQL wire protocol client with a connection pool (PostgresClient) and COPY FROM.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // /metrics: swift-metrics' API (already in the graph through Hummingbird) with a Prometheus
        // registry per web app; no global MetricsSystem bootstrap.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Pure core: models, state machines, calendar, indicators. No I/O, no dependencies.
        .target(name: "BackfillCore", swiftSettings: settings),
        // System zlib for streaming gzip (flat files); Debian package zlib1g-dev.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Intel ISA-L igzip: streaming gzip inflate ~2.5x zlib's speed, for flat files; Debian libisal-dev.
        .systemLibrary(name: "CIsal", path: "Sources/CIsal", providers: [.apt(["libisal-dev"])]),
        .target(
            name: "Polygon",
            dependencies: [
                "BackfillCore", "CZlib", "CIsal",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "Storage",
            dependencies: [
                "BackfillCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .target(name: "MessageBus", dependencies: ["BackfillCore"], swiftSettings: settings),
        // MessageBus on Redis 7: a small RESP client on SwiftNIO (pub/sub, Streams). See DESIGN.md.
        .target(
            name: "RedisBus",
            dependencies: [
                "MessageBus",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: settings
        ),
        // The store protocols on PostgreSQL (postgres-nio): see DESIGN.md "PostgreSQL storage".
        .target(
            name: "PostgresStore",
            dependencies: [
                "BackfillCore", "Storage", "MessageBus",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "Ingestion",
            dependencies: [
                "BackfillCore", "Polygon", "Storage", "MessageBus",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "PolygonSandbox",
            dependencies: [
                "BackfillCore", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "WebUI",
            dependencies: [
                "BackfillCore", "Storage", "MessageBus", "Ingestion",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "scraper",
            dependencies: [
                "BackfillCore", "Ingestion", "Polygon", "Storage", "PolygonSandbox", "MessageBus", "RedisBus",
                "PostgresStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "gui",
            dependencies: [
                "WebUI", "Storage", "RedisBus", "MessageBus", "PostgresStore", "Ingestion",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "polygon-sandbox",
            dependencies: [
                "PolygonSandbox",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "backfill-bench",
            dependencies: [
                "BackfillCore", "Ingestion", "Polygon", "Storage", "PolygonSandbox", "RedisBus", "WebUI", "PostgresStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "BackfillCoreTests", dependencies: ["BackfillCore"], exclude: ["Fixtures"], swiftSettings: settings),
        .testTarget(
            name: "BackfillTests",
            dependencies: [
                "BackfillCore", "Polygon", "Storage", "MessageBus", "Ingestion", "PolygonSandbox", "WebUI", "RedisBus",
                "CZlib",
                "PostgresStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: settings
        ),
    ]
)
