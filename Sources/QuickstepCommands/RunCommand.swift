import ArgumentParser
import Foundation
import QuickstepEngine
import QuickstepJSON
import QuickstepLanguage

/// `quickstep run`: runs one execution and prints its output.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a state machine once and print its output.",
        discussion: """
            Prints the execution's output JSON and exits 0, or prints the error and cause and exits 1. Exits 2 for \
            usage and I/O errors, an input that is not JSON, an invalid definition (with its diagnostics), or an \
            unusable mock configuration.

            Task states call, in this order: the mocked responses of --test-case in --mock-config (Step Functions \
            Local's MockConfigFile.json format), or a built-in resource (arn:aws:states:::quickstep:echo, \
            :return, :fail).

            Example: quickstep run Examples/order_processing.json --input Examples/order_processing.input.json \
            --mock-config Examples/order_processing.mock.json --test-case HappyPath
            """
    )

    @Argument(help: "The definition file (ASL JSON).")
    var definition: String

    @Option(help: "The input file, or '-' for standard input (default: {}).")
    var input: String?

    @Option(help: "The state machine's name ($$.StateMachine.Name, and the key into the mock configuration); default: the definition's file name without .json.")
    var name: String?

    @Option(help: "The execution's name ($$.Execution.Name); default: a random UUID.")
    var executionName: String?

    @Option(help: "A Step Functions Local mock configuration file.")
    var mockConfig: String?

    @Option(help: "The test case of the mock configuration to use.")
    var testCase: String?

    @Flag(help: "Let Waits, retry intervals and timeouts pass in virtual time instead of really waiting.")
    var virtualTime = false

    @Flag(help: "Print one JSON line: {\"status\", \"output\", \"error\", \"cause\"}.")
    var json = false

    @Flag(help: "Print the execution history as GetExecutionHistory's events, after the result.")
    var history = false

    func validate() throws {
        if (mockConfig == nil) != (testCase == nil) {
            throw ValidationError("--mock-config and --test-case go together")
        }
    }

    func run() throws {
        let machine = try Self.loadMachine(definition)
        let inputValue = try Self.parseJSON(input.map { try InputFile.read($0) } ?? Array("{}".utf8), from: input ?? "the default input")
        let machineName = name ?? Self.baseName(definition)
        var options = ExecutionOptions()
        options.stateMachineName = machineName
        options.executionName = executionName
        options.recordHistory = history
        options.clock = virtualTime ? .virtual : .real
        if let mockConfig, let testCase {
            let document = try Self.parseJSON(try InputFile.read(mockConfig), from: mockConfig)
            do {
                options.mocks = try MockConfiguration(document).testCase(stateMachine: machineName, testCase: testCase)
            } catch {
                printError("\(mockConfig): \(error)")
                throw ExitCode(2)
            }
        }
        let handlers = TaskHandlerRegistry()
        handlers.registerBuiltIns()
        let result = Program(machine).run(input: inputValue, handlers: handlers, options: options)
        if json {
            print(Self.summary(result).compactText)
        } else if let output = result.output {
            print(output.prettyText)
        } else {
            printError("\(result.status.rawValue)\nerror: \(result.error ?? "null")\ncause: \(result.cause ?? "null")")
        }
        if history { print(JSONValue.array(result.history).prettyText) }
        if result.status != .succeeded { throw ExitCode(1) }
    }

    /// `{"status": ..., "output": ..., "error": ..., "cause": ...}`.
    static func summary(_ result: ExecutionResult) -> JSONValue {
        [
            "status": .string(result.status.rawValue), "output": result.output ?? .null,
            "error": result.error.map { .string($0) } ?? .null, "cause": result.cause.map { .string($0) } ?? .null,
        ]
    }

    /// Loads and validates a definition; prints the diagnostics and exits 2 when it is invalid.
    static func loadMachine(_ path: String) throws -> StateMachine {
        let bytes = try InputFile.read(path)
        switch DefinitionLoader.load(bytes) {
        case .success(let machine): return machine
        case .failure(let invalid):
            printError("\(InputFile.displayName(path)): invalid definition")
            for diagnostic in invalid.diagnostics {
                printError("  \(diagnostic.code.rawValue) at \(diagnostic.location): \(diagnostic.message)")
            }
            throw ExitCode(2)
        }
    }

    static func parseJSON(_ bytes: [UInt8], from source: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            printError("\(InputFile.displayName(source)): not valid JSON: \(error)")
            throw ExitCode(2)
        }
    }

    /// `Examples/order_processing.json` → `order_processing`.
    static func baseName(_ path: String) -> String {
        var name = URL(fileURLWithPath: path).lastPathComponent
        if name.hasSuffix(".json") { name.removeLast(5) }
        return name
    }
}

/// `quickstep compile`: compiles a definition and prints its bytecode.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a definition and print its bytecode.",
        discussion: "Example: quickstep compile --dump Examples/order_processing.json"
    )

    @Argument(help: "The definition file (ASL JSON).")
    var definition: String

    @Flag(help: "Print the program: one instruction per line, operands resolved.")
    var dump = false

    func run() throws {
        let program = Program(try RunCommand.loadMachine(definition))
        if dump { print(program.disassembly()) } else { print("\(InputFile.displayName(definition)): compiled") }
    }
}
