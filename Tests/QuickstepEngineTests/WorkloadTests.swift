import Foundation
import Testing
import QuickstepEngine
import QuickstepJSON
import QuickstepLanguage

/// The benchmark workloads give the results recorded beside them (Tests/Workloads/NAME.expected.json), with their
/// mock configurations answering Task states.
@Suite struct WorkloadTests {
    static let names = ["pass_chain_10", "order_processing", "map_100x3", "parallel_4x3", "choice_heavy"]

    @Test(arguments: names)
    func workloadGivesItsRecordedResult(name: String) throws {
        let folder = testsFolder.appendingPathComponent("Workloads")
        func json(_ file: String) throws -> JSONValue {
            try JSONParser.parse([UInt8](try Data(contentsOf: folder.appendingPathComponent(file))))
        }
        let program = Program(try StateMachine(definition: try json("\(name).json")))
        var options = ExecutionOptions()
        options.clock = .virtual
        options.stateMachineName = name
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(name).mock.json").path) {
            options.mocks = try MockConfiguration(try json("\(name).mock.json")).testCase(stateMachine: name, testCase: "HappyPath")
        }
        let result = program.run(input: try json("\(name).input.json"), options: options)
        let expected = try json("\(name).expected.json")
        #expect(result.status.rawValue == expected["status"]?.stringValue)
        #expect(result.output == expected["output"], "\(result.output?.compactText ?? "null")")
    }
}
