import ArgumentParser
import Foundation
import Testing
@testable import QuickstepCommands

@Suite struct JSONCommandTests {
    @Test func wellFormedDocumentRuns() throws {
        let path = try temporaryFile(#"{"a": [1, 2.5]}"#)
        var command = try QuickstepCommand.parseAsRoot(["json", "--style", "compact", path])
        try command.run()
    }

    @Test func malformedDocumentExitsOne() throws {
        let path = try temporaryFile(#"{"a": [1, 2.5}"#)
        var command = try QuickstepCommand.parseAsRoot(["json", path])
        #expect(throws: ExitCode(1)) { try command.run() }
    }

    @Test func unreadableFileExitsTwo() throws {
        var command = try QuickstepCommand.parseAsRoot(["json", "/nonexistent/quickstep.json"])
        #expect(throws: ExitCode(2)) { try command.run() }
    }

    @Test func unknownStyleIsAUsageError() {
        #expect(throws: (any Error).self) { try QuickstepCommand.parseAsRoot(["json", "--style", "fancy", "x"]) }
    }
}
