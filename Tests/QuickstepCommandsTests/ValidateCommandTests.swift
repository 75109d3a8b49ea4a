import ArgumentParser
import Foundation
import Testing
@testable import QuickstepCommands
import QuickstepLanguage

@Suite struct ValidateCommandTests {
    @Test func validDefinitionExitsZero() throws {
        let path = try temporaryFile(#"{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}"#)
        var command = try QuickstepCommand.parseAsRoot(["validate", path])
        try command.run()
    }

    @Test func invalidDefinitionExitsOne() throws {
        let valid = try temporaryFile(#"{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}"#)
        let invalid = try temporaryFile(#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}"#)
        var command = try QuickstepCommand.parseAsRoot(["validate", "--json", valid, invalid])
        #expect(throws: ExitCode(1)) { try command.run() }
    }

    @Test func missingFileExitsTwo() throws {
        var command = try QuickstepCommand.parseAsRoot(["validate", "/nonexistent/definition.json"])
        #expect(throws: ExitCode(2)) { try command.run() }
    }

    @Test func jsonResponseHasTheValidateStateMachineDefinitionShape() throws {
        let diagnostics = DefinitionLoader.validate(Array(#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}"#.utf8))
        let response = ValidateCommand.response(diagnostics)
        #expect(response["result"] == "FAIL")
        #expect(response["truncated"] == false)
        #expect(response["diagnostics"]?[0] == [
            "severity": "ERROR", "code": "MISSING_TRANSITION_TARGET", "message": "Missing 'Next' target: B",
            "location": "/States/A/Next",
        ])
        #expect(ValidateCommand.response([])["result"] == "OK")
    }
}
