// swift-tools-version: 6.1
// Quickstep's benchmarks (package-benchmark), a package of their own so that users of the library never resolve
// the benchmark stack. Run from this folder: swift package benchmark
//
// The root package is named explicitly because CI clones the repository into a folder of another name.

import PackageDescription

let package = Package(
    name: "QuickstepBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Quickstep", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "JSONBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "QuickstepJSON", package: "Quickstep"),
            ],
            path: "Benchmarks/JSONBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "QuickstepEngine", package: "Quickstep"),
                .product(name: "QuickstepJSON", package: "Quickstep"),
                .product(name: "QuickstepLanguage", package: "Quickstep"),
            ],
            path: "Benchmarks/EngineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
