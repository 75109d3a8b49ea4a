import Benchmark
import Foundation
import QuickstepJSON

// Parse and serialize on three document sizes, each side by side with Foundation's JSONSerialization on the same
// bytes. Throughput is in operations per second; MB/s = throughput × the size in the benchmark's name.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    let documents: [(name: String, bytes: [UInt8])] = [
        ("execution input", Documents.executionInput),
        ("10 KB", Documents.tenKilobytes),
        ("1 MB", Documents.oneMegabyte),
    ]

    for (name, bytes) in documents {
        let label = "\(name), \(bytes.count) bytes"
        let data = Data(bytes)
        let value = try! JSONParser.parse(bytes)
        let foundationObject = try! JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])

        Benchmark("parse: Quickstep (\(label))") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try JSONParser.parse(bytes))
            }
        }
        Benchmark("parse: JSONSerialization (\(label))") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
            }
        }
        Benchmark("serialize: Quickstep (\(label))") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(JSONSerializer.compactBytes(value))
            }
        }
        Benchmark("serialize: JSONSerialization (\(label))") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try JSONSerialization.data(withJSONObject: foundationObject, options: [.fragmentsAllowed]))
            }
        }
    }
}
