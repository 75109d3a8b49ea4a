import ArgumentParser
import Foundation
import Testing
@testable import QuickstepCommands
import QuickstepEngine

@Suite struct RunCommandTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples")

    @Test func theReadmeExampleRuns() throws {
        let folder = Self.examples.path
        var command = try QuickstepCommand.parseAsRoot([
            "run", "\(folder)/order_processing.json", "--input", "\(folder)/order_processing.input.json",
            "--mock-config", "\(folder)/order_processing.mock.json", "--test-case", "HappyPath", "--json",
        ])
        try command.run()
    }

    @Test func failedExecutionExitsOne() throws {
        let definition = try temporaryFile(#"{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}}"#)
        var command = try QuickstepCommand.parseAsRoot(["run", definition])
        #expect(throws: ExitCode(1)) { try command.run() }
    }

    @Test func badInputsExitTwo() throws {
        let valid = try temporaryFile(#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#)
        let invalidDefinition = try temporaryFile(#"{"StartAt":"P","States":{}}"#)
        let notJSON = try temporaryFile("{nope")
        let mocks = try temporaryFile(#"{"StateMachines":{},"MockedResponses":{}}"#)
        for arguments in [["run", invalidDefinition], ["run", valid, "--input", notJSON], ["run", "/nonexistent.json"],
                          ["run", valid, "--mock-config", mocks, "--test-case", "Missing"]] {
            var command = try QuickstepCommand.parseAsRoot(arguments)
            #expect(throws: ExitCode(2), "\(arguments)") { try command.run() }
        }
        #expect(throws: (any Error).self) { try QuickstepCommand.parseAsRoot(["run", valid, "--test-case", "T"]) }
    }

    @Test func summaryShape() {
        let result = ExecutionResult(status: .failed, output: nil, error: "E", cause: nil, history: [])
        #expect(RunCommand.summary(result) == ["status": "FAILED", "output": nil, "error": "E", "cause": nil])
        #expect(RunCommand.baseName("/a/b/order_processing.json") == "order_processing")
    }

    @Test func compileDumps() throws {
        var command = try QuickstepCommand.parseAsRoot(["compile", "--dump", "\(Self.examples.path)/order_processing.json"])
        try command.run()
    }
}
