// swift-tools-version:6.0
import PackageDescription

/// Settings applied to every Swift target of ours: Swift 6 language mode (strict concurrency),
/// explicit `any`, and warnings as errors, so that "no warnings" holds on every build.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .unsafeFlags(["-warnings-as-errors"]),
]

var targets: [Target] = [
    // C libraries, reached through system-library targets and typed shims.
    // libcurl is loaded at run time by the fetcher (see Sources/CCurl/include/CCurl.h); its
    // headers come from libcurl4-openssl-dev.
    .target(name: "CCurl", path: "Sources/CCurl"),
    .systemLibrary(
        name: "CXML", path: "Sources/CXML", pkgConfig: "libxml-2.0",
        providers: [.apt(["libxml2-dev"])]),
    .systemLibrary(
        name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
        providers: [.apt(["libsqlite3-dev"])]),
    .target(name: "CTidingsSys", path: "Sources/CTidingsSys", linkerSettings: [.linkedLibrary("z")]),

    // The product's modules, one room each (see docs/ARCHITECTURE.md).
    .target(name: "TidingsCore", path: "Sources/TidingsCore"),
    // TOML: the parser (every key keeps its line) and the one typed reader of its tables.
    .target(name: "TidingsTOML", dependencies: ["TidingsCore"], path: "Sources/TidingsTOML"),
    // The plugin kit: what extractor plugins program against (the Extractor protocol and its
    // values, the analyzed document and its segmenter, their configuration).
    .target(name: "TidingsPluginKit", dependencies: ["TidingsCore", "TidingsTOML"], path: "Sources/TidingsPluginKit"),
    // The scheduler: a value-type state machine on a caller's clock (no I/O, no queues).
    .target(name: "TidingsSchedule", path: "Sources/TidingsSchedule"),
    .target(
        name: "TidingsFetch", dependencies: ["CCurl", "CTidingsSys", "TidingsCore"],
        path: "Sources/TidingsFetch"),
    .target(
        name: "TidingsParse", dependencies: ["CXML", "CTidingsSys", "TidingsCore"],
        path: "Sources/TidingsParse"),
    .target(
        name: "TidingsStore", dependencies: ["CSQLite", "TidingsCore", "TidingsPluginKit"],
        path: "Sources/TidingsStore"),
    .target(
        name: "TidingsAdmin", dependencies: ["CTidingsSys", "TidingsCore"],
        path: "Sources/TidingsAdmin"),
    // Built-in extractor plugins: each imports TidingsPluginKit, and TidingsCore for its
    // file and text utilities, and nothing else.
    .target(
        name: "EntitiesPlugin", dependencies: ["TidingsPluginKit", "TidingsCore"], path: "plugins/entities",
        exclude: ["README.md", "data", "Tests"]),
    .target(
        name: "EventsPlugin", dependencies: ["TidingsPluginKit", "TidingsCore"], path: "plugins/events",
        exclude: ["README.md", "data", "Tests"]),
    .target(
        name: "TonePlugin", dependencies: ["TidingsPluginKit", "TidingsCore"], path: "plugins/tone",
        exclude: ["README.md", "data", "Tests"]),
    // The registry, the pipeline and exec plugins: shared by the daemon and `tidingsd analyze`.
    .target(
        name: "TidingsPipeline",
        dependencies: [
            "TidingsCore", "TidingsPluginKit", "TidingsTOML", "CTidingsSys", "EntitiesPlugin", "EventsPlugin", "TonePlugin",
            .product(name: "Logging", package: "swift-log"),
        ],
        path: "Sources/TidingsPipeline"),
    .target(
        name: "TidingsDaemon",
        dependencies: [
            "TidingsCore", "TidingsPluginKit", "TidingsTOML", "TidingsFetch", "TidingsParse", "TidingsStore",
            "TidingsAdmin", "TidingsPipeline", "TidingsSchedule", "CTidingsSys", .product(name: "Logging", package: "swift-log"),
        ],
        path: "Sources/TidingsDaemon"),
    .executableTarget(
        name: "tidingsd",
        dependencies: [
            "TidingsDaemon", "TidingsFetch", "TidingsParse", "TidingsPipeline", "TidingsCore", "TidingsPluginKit", "CTidingsSys",
            "TonePlugin", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ],
        path: "Sources/tidingsd"),
    .executableTarget(
        name: "tidingsctl",
        dependencies: [
            "TidingsAdmin", "TidingsStore", "TidingsParse", "TidingsCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ],
        path: "Sources/tidingsctl"),

    // Tests: unit tests per module, and end-to-end tests that run a real tidingsd.
    // TestSupport is the test kit: temp dirs, a loopback HTTP server, a daemon process.
    .target(name: "TestSupport", dependencies: ["CTidingsSys", "TidingsCore"], path: "Tests/TestSupport"),
    .testTarget(
        name: "TidingsCoreTests", dependencies: ["TidingsCore", "TestSupport"], path: "Tests/TidingsCoreTests"),
    .testTarget(name: "TidingsTOMLTests", dependencies: ["TidingsTOML"], path: "Tests/TidingsTOMLTests"),
    .testTarget(
        name: "TidingsPluginKitTests", dependencies: ["TidingsPluginKit", "TidingsTOML"], path: "Tests/TidingsPluginKitTests"),
    .testTarget(name: "TidingsScheduleTests", dependencies: ["TidingsSchedule"], path: "Tests/TidingsScheduleTests"),
    .testTarget(
        name: "TidingsParseTests", dependencies: ["TidingsParse", "TidingsCore", "TestSupport"],
        path: "Tests/TidingsParseTests"),
    .testTarget(
        name: "TidingsStoreTests", dependencies: ["TidingsStore", "TidingsCore", "TidingsPluginKit", "TestSupport"],
        path: "Tests/TidingsStoreTests"),
    .testTarget(
        name: "TidingsAdminTests", dependencies: ["TidingsAdmin", "TidingsCore"],
        path: "Tests/TidingsAdminTests"),
    .testTarget(
        name: "TidingsDaemonTests",
        dependencies: [
            "TidingsDaemon", "TidingsFetch", "TidingsPipeline", "TidingsStore", "TidingsCore", "TidingsPluginKit", "TidingsTOML",
            "TestSupport", "CTidingsSys", "EntitiesPlugin", "EventsPlugin", "TonePlugin", .product(name: "Logging", package: "swift-log"),
        ],
        path: "Tests/TidingsDaemonTests"),
    .testTarget(
        name: "EndToEndTests",
        dependencies: ["TidingsStore", "TidingsAdmin", "TidingsCore", "CTidingsSys", "TestSupport"],
        path: "Tests/EndToEndTests"),
]

for index in targets.indices where targets[index].type != .system {
    var settings = targets[index].swiftSettings ?? []
    settings.append(contentsOf: strictSettings)
    targets[index].swiftSettings = settings
}

let package = Package(
    name: "Tidings",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tidingsd", targets: ["tidingsd"]),
        .executable(name: "tidingsctl", targets: ["tidingsctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: targets,
    swiftLanguageModes: [.v6]
)
