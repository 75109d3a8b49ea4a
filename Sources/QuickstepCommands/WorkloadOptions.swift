import ArgumentParser
import QuickstepEngine
import QuickstepJSON
import QuickstepLanguage

/// The options `run` and `bench` share: the definition, its input, the machine's name and the mocks.
struct WorkloadOptions: ParsableArguments {
    @Argument(help: "The definition file (ASL JSON).")
    var definition: String

    @Option(help: "The input file, or '-' for standard input (default: {}).")
    var input: String?

    @Option(help: "The state machine's name ($$.StateMachine.Name, and the key into the mock configuration); default: the definition's file name without .json.")
    var name: String?

    @Option(help: "A Step Functions Local mock configuration file.")
    var mockConfig: String?

    @Option(help: "The test case of the mock configuration to use.")
    var testCase: String?

    func validate() throws {
        if (mockConfig == nil) != (testCase == nil) {
            throw ValidationError("--mock-config and --test-case go together")
        }
    }

    /// Everything loaded and checked; exits 2 (after saying why) for unreadable files, an input that is not JSON,
    /// an invalid definition or an unusable mock configuration.
    struct Loaded {
        var machine: StateMachine
        var input: JSONValue
        /// The length of the input's JSON text: what the engine measures against the input limit, as AWS does.
        var inputByteCount: Int
        var machineName: String
        var mocks: MockedTestCase?
    }

    func load() throws -> Loaded {
        let machine = try RunCommand.loadMachine(definition)
        let inputText = try input.map { try InputFile.read($0) } ?? Array("{}".utf8)
        let inputValue = try RunCommand.parseJSON(inputText, from: input ?? "the default input")
        let machineName = name ?? RunCommand.baseName(definition)
        var mocks: MockedTestCase?
        if let mockConfig, let testCase {
            let document = try RunCommand.parseJSON(try InputFile.read(mockConfig), from: mockConfig)
            do {
                mocks = try MockConfiguration(document).testCase(stateMachine: machineName, testCase: testCase)
            } catch {
                printError("\(mockConfig): \(error)")
                throw ExitCode(2)
            }
        }
        return Loaded(machine: machine, input: inputValue, inputByteCount: inputText.count, machineName: machineName, mocks: mocks)
    }
}
