import Testing
import QuickstepJSON
import QuickstepLanguage

/// Every definition that AWS ran (the conformance corpus) and every benchmark workload loads without a diagnostic.
/// AWS executed every recorded case, so AWS accepted every one of these definitions.
@Suite struct CorpusLoadingTests {
    @Test func corpusIsPresent() {
        #expect(TestData.caseNames.count == 615)
        #expect(TestData.workloadNames.count == 5)
    }

    @Test(arguments: TestData.caseNames)
    func conformanceDefinitionLoads(name: String) throws {
        let bytes = try TestData.bytes(TestData.conformanceCases.appendingPathComponent("\(name)/definition.json"))
        let diagnostics = DefinitionLoader.validate(bytes)
        #expect(diagnostics.isEmpty, "\(name): \(diagnostics.map(\.description))")
    }

    @Test(arguments: TestData.workloadNames)
    func workloadDefinitionLoads(name: String) throws {
        let bytes = try TestData.bytes(TestData.workloads.appendingPathComponent(name))
        let diagnostics = DefinitionLoader.validate(bytes)
        #expect(diagnostics.isEmpty, "\(name): \(diagnostics.map(\.description))")
    }
}
