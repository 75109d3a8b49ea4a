import ArgumentParser
import QuickstepJSON
import QuickstepLanguage

/// `quickstep validate`: checks definitions the way `ValidateStateMachineDefinition` does.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check state machine definitions and report every problem.",
        discussion: """
            Each problem is reported with AWS's diagnostic code and its JSON-pointer location in the definition. \
            Exit status: 0 when every file is valid, 1 when any is invalid, 2 for a usage or I/O error.

            Example: quickstep validate Examples/order_processing.json
            """
    )

    @Argument(help: "Definition files (ASL JSON); '-' reads standard input.")
    var files: [String]

    @Flag(help: "Print the ValidateStateMachineDefinition response shape, one JSON object per file and line.")
    var json = false

    func run() throws {
        var allValid = true
        for file in files {
            let diagnostics = DefinitionLoader.validate(try InputFile.read(file))
            if !diagnostics.isEmpty { allValid = false }
            if json {
                print(Self.response(diagnostics).compactText)
            } else if diagnostics.isEmpty {
                print("\(InputFile.displayName(file)): valid")
            } else {
                print("\(InputFile.displayName(file)): \(diagnostics.count) problem\(diagnostics.count == 1 ? "" : "s")")
                for diagnostic in diagnostics {
                    print("  \(diagnostic.severity.rawValue) \(diagnostic.code.rawValue) at \(diagnostic.location): \(diagnostic.message)")
                }
            }
        }
        if !allValid { throw ExitCode(1) }
    }

    /// `{"result": "OK"|"FAIL", "diagnostics": [{severity, code, message, location}], "truncated": false}`.
    static func response(_ diagnostics: [Diagnostic]) -> JSONValue {
        let failed = diagnostics.contains { $0.severity == .error }
        return [
            "result": .string(failed ? "FAIL" : "OK"),
            "diagnostics": .array(diagnostics.map {
                ["severity": .string($0.severity.rawValue), "code": .string($0.code.rawValue),
                 "message": .string($0.message), "location": .string($0.location)]
            }),
            "truncated": false,
        ]
    }
}
