import Foundation
import QuickstepEngine
import QuickstepJSON
import QuickstepLanguage

/// Compiles `definition` and runs it on `input` in virtual time (no real waiting), with history.
func execute(_ definition: String, input: JSONValue = [:], handlers: TaskHandlerRegistry = TaskHandlerRegistry(),
             configure: (inout ExecutionOptions) -> Void = { _ in }) throws -> ExecutionResult {
    let program = Program(try StateMachine(definition: definition))
    var options = ExecutionOptions()
    options.clock = .virtual
    options.recordHistory = true
    configure(&options)
    return program.run(input: input, handlers: handlers, options: options)
}

/// The event types of a history, in order.
func eventTypes(_ result: ExecutionResult) -> [String] {
    result.history.compactMap { $0["type"]?.stringValue }
}

/// Milliseconds since the epoch of an event's timestamp (`2026-11-28T21:40:00.000Z`).
func milliseconds(_ event: JSONValue) -> Int64 {
    guard let text = event["timestamp"]?.stringValue, let instant = Timestamp(text) else { return -1 }
    return instant.secondsSinceEpoch * 1000 + Int64(instant.nanoseconds / 1_000_000)
}

/// The test data folder beside the test targets.
let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

/// Runs `definition` synchronously three times on `input` on an engine that keeps no events (whose runs go through
/// fused steps at once) and on one that keeps every execution's events (whose runs go through the instructions one
/// by one): each engine's counters after its runs, and every run's output as compact text (`nil` for none).
func runsWithAndWithoutEvents(_ definition: String, input: JSONValue) throws -> (counters: [EngineCounters], outputs: [String]) {
    var counters: [EngineCounters] = []
    var outputs: [String] = []
    for level in [EngineConfiguration.HistoryLevel.off, .all] {
        var configuration = EngineConfiguration(workers: 1)
        configuration.historyLevel = level
        let engine = Engine(configuration: configuration)
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "M", definition: definition)
        for _ in 0..<3 {
            outputs.append(try engine.startSyncExecution(stateMachine: "M", input: input).output?.compactText ?? "nil")
        }
        counters.append(engine.counters)
    }
    return (counters, outputs)
}
