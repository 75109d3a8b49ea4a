// swift-tools-version: 6.1
// Quickstep: an ahead-of-time compiled AWS Step Functions (ASL) engine.
//
// Layers, each a library, dependencies pointing one way:
//   QuickstepJSON ← QuickstepLanguage ← QuickstepEngine ← QuickstepCommands ← quickstep (one-file executable)
// Benchmarks live in the nested package `Benchmarks/`, so users of the library never resolve the benchmark stack.

import PackageDescription

let package = Package(
    name: "Quickstep",
    products: [
        .library(name: "QuickstepJSON", targets: ["QuickstepJSON"]),
        .library(name: "QuickstepLanguage", targets: ["QuickstepLanguage"]),
        .library(name: "QuickstepEngine", targets: ["QuickstepEngine"]),
        .executable(name: "quickstep", targets: ["quickstep"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.2.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.1.0"),
    ],
    targets: [
        // The runtime's reference counting in bulk and without atomics (QuickstepJSON's JSONValue.twoCopies(), the
        // engine's root graph).
        .target(name: "CQuickstepReferences"),
        .target(name: "QuickstepJSON", dependencies: ["CQuickstepReferences"]),
        .target(name: "QuickstepLanguage", dependencies: ["QuickstepJSON"]),
        // The CPU's cycle counter, read inline (the engine's clock: QuickstepEngine's CycleClock).
        .target(name: "CQuickstepClock"),
        .target(
            name: "QuickstepEngine",
            dependencies: [
                "QuickstepJSON", "QuickstepLanguage", "CQuickstepClock", "CQuickstepReferences",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "QuickstepCommands",
            dependencies: [
                "QuickstepJSON", "QuickstepLanguage", "QuickstepEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(name: "quickstep", dependencies: ["QuickstepCommands"]),

        .target(name: "QuickstepTestSupport", path: "Tests/QuickstepTestSupport"),
        .testTarget(
            name: "QuickstepJSONTests", dependencies: ["QuickstepJSON", "QuickstepTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "QuickstepLanguageTests", dependencies: ["QuickstepLanguage", "QuickstepTestSupport"]),
        .testTarget(
            name: "QuickstepEngineTests",
            dependencies: ["QuickstepEngine", "QuickstepTestSupport", .product(name: "MetricsTestKit", package: "swift-metrics")]
        ),
        .testTarget(name: "QuickstepCommandsTests", dependencies: ["QuickstepCommands"]),
    ]
)
