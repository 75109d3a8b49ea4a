import Testing
import QuickstepJSON
import QuickstepLanguage
@testable import QuickstepEngine

/// `Program(copying:)`, the program each worker gets: compiled from the definition parsed again, it runs as the
/// original does and shares none of its constants, paths or templates.
@Suite struct ProgramCopyTests {
    static let definition = #"""
        {"StartAt":"A","States":{
           "A":{"Type":"Pass","Result":{"constant":["a value long enough to be stored out of line"]},"ResultPath":"$.r","Next":"B"},
           "B":{"Type":"Pass","Parameters":{"kept.$":"$.r.constant[0]","n.$":"$.n"},"Next":"C"},
           "C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":1,"Next":"D"}],"Default":"D"},
           "D":{"Type":"Succeed","OutputPath":"$.kept"}}}
        """#

    @Test func copyRunsAsTheOriginalAndSharesNoStorage() throws {
        let original = Program(try StateMachine(definition: Self.definition))
        let copy = Program(copying: original)
        #expect(copy.machine.definition == original.machine.definition)
        #expect(copy.disassembly() == original.disassembly())
        for input: JSONValue in [["n": 2], ["n": 0]] {
            #expect(copy.run(input: input).output == original.run(input: input).output)
        }
        #expect(original.run(input: ["n": 2]).output == "a value long enough to be stored out of line")
        let constant = try #require(original.tables.constants.first)
        let copiedConstant = try #require(copy.tables.constants.first)
        #expect(constant == copiedConstant)
        #expect(!constant.isSameContainer(as: copiedConstant))
        #expect(constant.isSameContainer(as: original.tables.constants[0]))
    }
}
