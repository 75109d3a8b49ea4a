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

    @OptionGroup var workload: WorkloadOptions

    @Option(help: "The execution's name ($$.Execution.Name); default: a random UUID.")
    var executionName: String?

    @Flag(help: "Let Waits, retry intervals and timeouts pass in virtual time instead of really waiting.")
    var virtualTime = false

    @Flag(help: "Print one JSON line: {\"status\", \"output\", \"error\", \"cause\"}.")
    var json = false

    @Flag(help: "Print the execution history as GetExecutionHistory's events, after the result.")
    var history = false

    func run() throws {
        let loaded = try workload.load()
        var options = ExecutionOptions()
        options.stateMachineName = loaded.machineName
        options.executionName = executionName
        options.recordHistory = history
        options.clock = virtualTime ? .virtual : .real
        options.mocks = loaded.mocks
        options.inputByteCount = loaded.inputByteCount
        let handlers = TaskHandlerRegistry()
        handlers.registerBuiltIns()
        let result = Program(loaded.machine).run(input: loaded.input, handlers: handlers, options: options)
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
