import Testing
import QuickstepJSON

/// JSONTestSuite (github.com/nst/JSONTestSuite, MIT, see Fixtures/JSONTestSuite/LICENSE): every `y_` case
/// accepted with the value Python's json module reads, every `n_` case rejected, every `i_` case answered.
@Suite struct JSONTestSuiteTests {
    static let folder = "JSONTestSuite/test_parsing"
    static let names: [String] = (try? Fixtures.files(in: folder)) ?? []

    @Test func suiteIsComplete() {
        // 95 y_, 188 n_ and 35 i_ cases in the copied suite.
        #expect(Self.names.filter { $0.hasPrefix("y_") }.count == 95)
        #expect(Self.names.filter { $0.hasPrefix("n_") }.count == 188)
        #expect(Self.names.filter { $0.hasPrefix("i_") }.count == 35)
    }

    @Test(arguments: names.filter { $0.hasPrefix("y_") })
    func acceptsValidDocumentWithTheRightValue(name: String) throws {
        let expectedValues = try JSONParser.parse(Fixtures.bytes("JSONTestSuite/expected_values.json"))
        let value = try JSONParser.parse(Fixtures.bytes("\(Self.folder)/\(name)"))
        let expected = try #require(expectedValues[name])
        #expect(value == expected, "\(name): got \(value.canonicalText), expected \(expected.canonicalText)")
        #expect(value.canonicalText == expected.canonicalText)
    }

    @Test(arguments: names.filter { $0.hasPrefix("n_") })
    func rejectsInvalidDocument(name: String) throws {
        let bytes = try Fixtures.bytes("\(Self.folder)/\(name)")
        #expect(throws: JSONParseError.self, "\(name) was accepted") { try JSONParser.parse(bytes) }
    }

    @Test(arguments: names.filter { $0.hasPrefix("i_") })
    func answersImplementationDefinedDocument(name: String) throws {
        // Either answer is allowed; reaching the end without a crash or hang is the test. An accepted document
        // must still serialize to text that parses back to the same value.
        let bytes = try Fixtures.bytes("\(Self.folder)/\(name)")
        if let value = try? JSONParser.parse(bytes) {
            #expect(try JSONParser.parse(value.compactText) == value)
        }
    }

    @Test func deepNestingIsAnErrorNotAStackOverflow() throws {
        let bytes = try Fixtures.bytes("\(Self.folder)/n_structure_100000_opening_arrays.json")
        let error = try #require(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        #expect(error.reason == .tooDeep(limit: 1000))
        #expect(error.offset == 1000)
    }
}
