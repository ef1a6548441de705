// swift-tools-version:6.0
import PackageDescription

// Layering (see README "Architecture"): SluiceCore is pure logic with no I/O and no C;
// SluiceCrypto / SluiceStore / SluiceHTTP / SluiceAWS / SluiceDNS are adapters around it;
// SluiceApp wires them; `sluice` is the thin executable. No SwiftNIO anywhere.
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // C shims: only what Swift cannot do (macros, variadics, inline wrappers).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(
            name: "COpenSSL",
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]
        ),
        .target(name: "CSQLitePlugins", linkerSettings: [.linkedLibrary("sqlite3")]),

        .target(name: "SluiceCore", swiftSettings: strict),
        .target(
            name: "SluiceCrypto",
            dependencies: ["SluiceCore", "COpenSSL", "CZlib"],
            swiftSettings: strict
        ),
        .target(
            name: "SluiceStore",
            dependencies: [
                "SluiceCore", "CSQLite", "CSQLitePlugins", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SluicePostgres",
            dependencies: ["SluiceCore", "CPostgres", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "SluiceHTTP",
            dependencies: ["SluiceCore", "SluiceCrypto", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "SluiceAWS",
            dependencies: [
                "SluiceCore", "SluiceCrypto", "SluiceHTTP",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SluiceDNS",
            dependencies: ["SluiceCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "SluiceApp",
            dependencies: [
                "SluiceCore", "SluiceCrypto", "SluiceStore", "SluicePostgres", "SluiceHTTP", "SluiceAWS", "SluiceDNS",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "sluice",
            dependencies: [
                "SluiceApp", "SluiceCore", "SluiceStore", "SluiceDNS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "http-bench-server",
            dependencies: ["SluiceHTTP", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/HTTPBenchServer"
        ),
        .executableTarget(name: "store-bench", dependencies: ["SluiceStore", "SluiceCore"], path: "Benchmarks/StoreBench"),

        // Helpers shared by the test targets (off-pool blocking work, child processes).
        .target(
            name: "SluiceTestSupport",
            dependencies: ["SluiceHTTP", "SluiceCrypto", .product(name: "Logging", package: "swift-log")], path: "Tests/Support"
        ),

        .testTarget(name: "SluiceCoreTests", dependencies: ["SluiceTestSupport", "SluiceCore"]),
        .testTarget(name: "SluiceCryptoTests", dependencies: ["SluiceTestSupport", "SluiceCrypto"]),
        .testTarget(
            name: "SluiceStoreTests",
            dependencies: ["SluiceTestSupport", "SluiceStore", "SluicePostgres", "SluiceCore", "SluiceCrypto", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "SluiceHTTPTests", dependencies: ["SluiceTestSupport", "SluiceHTTP", "SluiceCrypto"]),
        .testTarget(name: "SluiceAWSTests", dependencies: ["SluiceTestSupport", "SluiceAWS", "SluiceCrypto", "SluiceHTTP"]),
        .testTarget(
            name: "SluiceDNSTests", dependencies: ["SluiceTestSupport", "SluiceDNS"],
            exclude: ["Support/dns_server.py", "Support/checkdmarc_probe.py", "Support/zones.zone"]
        ),
        .testTarget(name: "SluiceAppTests", dependencies: ["SluiceTestSupport", "SluiceApp", "SluiceStore", "SluicePostgres", "SluiceHTTP", "SluiceCrypto", "SluiceAWS"]),
    ]
)
