import Benchmark
import Foundation
import QuickstepEngine
import QuickstepJSON
import QuickstepLanguage

// The engine on the five benchmark workloads (Tests/Workloads): loading and compiling each definition, one
// synchronous execution of each (StartSyncExecution: inline on the caller's thread when it never parks), and
// throughput with one worker and with every worker (each benchmark iteration is one execution; a batch of 1,000
// runs at once). mallocCountTotal per iteration is then mallocs per execution.
//
// Thresholds: `swift package benchmark thresholds check` compares a run with Thresholds/ (p50 and p90 within
// the tolerances below); `swift package --allow-writing-to-package-directory benchmark thresholds update` renews them.

let benchmarks: @Sendable () -> Void = {
    let timeTolerance = BenchmarkThresholds(relative: [.p50: 25, .p90: 35])
    let mallocTolerance = BenchmarkThresholds(relative: [.p50: 5, .p90: 10], absolute: [.p50: 2, .p90: 4])
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(2),
        maxIterations: 100_000,
        thresholds: [.wallClock: timeTolerance, .mallocCountTotal: mallocTolerance]
    )

    for workload in Workload.all {
        Benchmark("load and compile: \(workload.name)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(Program(try StateMachine(definition: workload.definition)))
            }
        }

        let syncEngine = EngineHolder()
        Benchmark("sync execution: \(workload.name)") { benchmark, engine in
            for _ in benchmark.scaledIterations {
                blackHole(try engine.startSyncExecution(stateMachine: workload.name, input: workload.input))
            }
        } setup: {
            syncEngine.start(workload.engine(workers: EngineConfiguration.processorCount))
        } teardown: {
            syncEngine.stop()
        }

        for workers in Set([1, EngineConfiguration.processorCount]).sorted() {
            let holder = EngineHolder()
            Benchmark(
                "throughput, \(workers) worker\(workers == 1 ? "" : "s"): \(workload.name)",
                configuration: .init(scalingFactor: .kilo)
            ) { benchmark, engine in
                // One iteration = one execution; all of a batch are started at once, then awaited.
                for _ in benchmark.scaledIterations {
                    try engine.startExecution(stateMachine: workload.name, input: workload.input)
                }
                engine.waitUntilIdle()
            } setup: {
                holder.start(workload.engine(workers: workers))
            } teardown: {
                holder.stop()
            }
        }
    }

    mallocsPerStateBenchmarks()
}

/// Mallocs per state transition: the same kind of machine with 1 state and with 100, run synchronously. A Pass
/// state or a Choice state that allocates nothing per transition gives both the same mallocCountTotal per
/// iteration (the per-execution constant); each allocation per transition adds 99 to the long one.
let mallocsPerStateBenchmarks: @Sendable () -> Void = {
    for length in [1, 100] {
        for (kind, definition) in [("pass chain", StateChains.passChain(length)), ("choice chain", StateChains.choiceChain(length))] {
            let holder = EngineHolder()
            Benchmark("mallocs per state: \(kind) of \(length)", configuration: .init(metrics: [.mallocCountTotal, .wallClock])) { (benchmark: Benchmark, engine: Engine) in
                for _ in benchmark.scaledIterations {
                    blackHole(try engine.startSyncExecution(stateMachine: "Chain", input: StateChains.input))
                }
            } setup: { () -> Engine in
                let engine = Engine(configuration: EngineConfiguration(workers: 1))
                try! engine.createStateMachine(name: "Chain", definition: definition)
                return holder.start(engine)
            } teardown: {
                holder.stop()
            }
        }
    }
}

/// Generated definitions for ``mallocsPerStateBenchmarks``.
enum StateChains {
    static let input: JSONValue = ["amount": 75, "currency": "USD", "tier": "gold", "blocked": false]

    /// `length` Pass states without data processing, one after another.
    static func passChain(_ length: Int) -> String {
        let states = (0..<length).map { index in
            #""S\#(index)":{"Type":"Pass",\#(index == length - 1 ? #""End":true"# : #""Next":"S\#(index + 1)""#)}"#
        }
        return #"{"StartAt":"S0","States":{\#(states.joined(separator: ","))}}"#
    }

    /// `length` Choice states, each testing a compound rule on the input (as choice_heavy's do) and going on to the
    /// next; the last goes to a Succeed state.
    static func choiceChain(_ length: Int) -> String {
        var states = (0..<length).map { index in
            let next = index == length - 1 ? "Done" : "C\(index + 1)"
            return #""C\#(index)":{"Type":"Choice","Choices":[{"And":[{"Variable":"$.amount","NumericGreaterThan":100},"#
                + #"{"Variable":"$.currency","StringEquals":"EUR"}],"Next":"Done"},{"Or":[{"Variable":"$.blocked","BooleanEquals":true},"#
                + #"{"Not":{"Variable":"$.tier","StringMatches":"g*d"}}],"Next":"Done"}],"Default":"\#(next)"}"#
        }
        states.append(#""Done":{"Type":"Succeed"}"#)
        return #"{"StartAt":"C0","States":{\#(states.joined(separator: ","))}}"#
    }
}

/// A benchmark workload from Tests/Workloads: definition, input, and mocks where it has them.
struct Workload: Sendable {
    var name: String
    var definition: String
    var input: JSONValue
    var mocks: MockedTestCase?

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("../../../Tests/Workloads").standardized

    static let all: [Workload] = ["pass_chain_10", "choice_heavy", "parallel_4x3", "map_100x3", "order_processing"].map(load)

    static func load(_ name: String) -> Workload {
        func read(_ file: String) -> String? {
            try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        }
        guard let definition = read("\(name).json"), let inputText = read("\(name).input.json") else {
            fatalError("missing workload \(name) in \(directory.path)")
        }
        var mocks: MockedTestCase?
        if let mockText = read("\(name).mock.json") {
            mocks = try! MockConfiguration(try JSONParser.parse(mockText)).testCase(stateMachine: name, testCase: "HappyPath")
        }
        return Workload(name: name, definition: definition, input: try! JSONParser.parse(inputText), mocks: mocks)
    }

    func engine(workers: Int) -> Engine {
        let engine = Engine(configuration: EngineConfiguration(workers: workers))
        engine.register(Program(try! StateMachine(definition: definition)), name: name, mocks: mocks)
        return engine
    }
}

/// The engine a benchmark's setup made, so that its teardown can stop the workers.
final class EngineHolder: @unchecked Sendable {
    private var engine: Engine?

    func start(_ engine: Engine) -> Engine {
        self.engine = engine
        return engine
    }

    func stop() {
        engine?.shutdown()
        engine = nil
    }
}
