// swift-tools-version: 6.1
import PackageDescription

// Parley runs on Linux only: it uses Glibc, pipe2, posix_spawn's glibc file actions
// (addchdir_np, addclosefrom_np) and /proc. There is no `platforms:` entry because SwiftPM's
// list only sets minimum Apple OS versions; elsewhere the manifest stops with this message.
#if !os(Linux)
#error("Parley builds and runs on Linux only (Glibc, pipe2, /proc); see README.md, Platform")
#endif

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Parley",
    products: [
        .executable(name: "parley", targets: ["parley"]),
        .library(name: "StreamJSON", targets: ["StreamJSON"]),
        .library(name: "AgentSession", targets: ["AgentSession"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // Pure protocol layer: NDJSON framing, typed incoming events, outgoing lines. No I/O.
        .target(name: "StreamJSON", swiftSettings: strict),
        // The one lock type (`Locked`), shared by every module that keeps state across threads.
        .target(name: "Locking", swiftSettings: strict),
        // Session state machine, process host, and the AgentSession actor.
        .target(name: "AgentSession", dependencies: ["StreamJSON", "Locking", "_ProcessShims"], swiftSettings: strict),
        // C shims for process spawning: vfork + execve with a parent-death signal (posix_spawn cannot
        // set one), pipe2, posix_spawn chdir/closefrom for the tests (they need _GNU_SOURCE).
        .target(name: "_ProcessShims"),
        // libedit through a system-library target with non-variadic shims.
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // Line editor, terminal capabilities, styled text, Markdown rendering, live output.
        .target(name: "Terminal", dependencies: ["CEditLine", "Locking"], swiftSettings: strict),
        // The CLI's transcript files (~/.claude/projects): reading, listing, naming, exporting
        // conversations. Parsing is pure; file access is in ConversationStore and PrivateFile.
        .target(name: "Conversations", dependencies: ["StreamJSON"], swiftSettings: strict),
        // Commands, configuration, personas, presenter, front ends.
        .target(
            name: "ParleyApp",
            dependencies: [
                "AgentSession", "Terminal", "StreamJSON", "Locking", "Conversations",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "parley",
            dependencies: ["ParleyApp", "Terminal", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        // Test support: a scripted stream-json double of the claude CLI.
        .executableTarget(name: "fake-claude", dependencies: ["StreamJSON", "Locking", "ParleyTestSupport"], swiftSettings: strict),
        // Test support: a local fake Anthropic Messages API for real-CLI tests.
        .executableTarget(name: "fake-messages-api", dependencies: ["Locking"], swiftSettings: strict),
        .executableTarget(name: "terminal-demo", dependencies: ["Terminal"], swiftSettings: strict),
        // Benchmarks.
        .executableTarget(name: "parley-bench", dependencies: ["AgentSession", "StreamJSON", "Terminal", "ParleyApp", "Conversations", "ParleyTestSupport"], swiftSettings: strict),

        // Shared by the test targets and parley-bench: the one way to spawn programs (CleanSpawn),
        // built binaries, process inspection, the double's records.
        .target(name: "ParleyTestSupport", dependencies: ["StreamJSON", "Locking", "_ProcessShims"], path: "Tests/ParleyTestSupport", swiftSettings: strict),

        .testTarget(name: "StreamJSONTests", dependencies: ["StreamJSON", "ParleyTestSupport"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "AgentSessionTests", dependencies: ["AgentSession", "StreamJSON", "Locking", "ParleyTestSupport"], swiftSettings: strict),
        .testTarget(name: "TerminalTests", dependencies: ["Terminal", "Locking", "ParleyTestSupport"], swiftSettings: strict),
        .testTarget(name: "ConversationsTests", dependencies: ["Conversations", "StreamJSON"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "ParleyAppTests", dependencies: ["ParleyApp", "Terminal", "AgentSession", "Conversations", "ParleyTestSupport"], swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: ["StreamJSON", "Locking", "ParleyTestSupport"], swiftSettings: strict),
        .testTarget(name: "RealCLITests", dependencies: ["StreamJSON", "ParleyTestSupport", "AgentSession", "ParleyApp", "Conversations"], swiftSettings: strict),
    ]
)
