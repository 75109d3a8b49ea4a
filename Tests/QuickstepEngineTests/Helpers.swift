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
