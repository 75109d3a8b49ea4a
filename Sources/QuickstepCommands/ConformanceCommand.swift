import ArgumentParser
import Foundation

/// `quickstep conformance`: runs a directory of recorded AWS executions and reports pass counts per class.
struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Run conformance cases recorded against AWS and compare the results.",
        discussion: """
            DIR holds one folder per case (definition.json, input.json, expected.json, meta.json), as in \
            Tests/Conformance/cases. Prints the pass count per class (a: pure ASL, b: Lambda tasks with stubs, \
            jsonata) and, for each failing case, the difference. Exit status: 0 when every JSONPath case passes, 1 \
            otherwise, 2 for a usage or I/O error.

            Example: quickstep conformance Tests/Conformance/cases
            """
    )

    @Argument(help: "The directory of cases.")
    var directory: String

    @Option(help: "Run only the cases whose name contains this text.")
    var filter: String?

    @Flag(help: "Print only the counts, not the differences.")
    var quiet = false

    func run() throws {
        let cases: [ConformanceCase]
        do {
            cases = try ConformanceCase.all(in: URL(fileURLWithPath: directory)).filter { filter == nil || $0.name.contains(filter!) }
        } catch {
            printError("cannot read the cases in \(directory): \(error)")
            throw ExitCode(2)
        }
        var passed: [ConformanceCase.Kind: Int] = [:]
        var total: [ConformanceCase.Kind: Int] = [:]
        for testCase in cases {
            let outcome = ConformanceRunner.run(testCase)
            total[outcome.kind, default: 0] += 1
            if outcome.passed {
                passed[outcome.kind, default: 0] += 1
            } else if !quiet && outcome.kind != .jsonata {
                print("FAIL \(outcome.name)")
                for difference in outcome.differences { print("  \(difference)") }
            }
        }
        for kind in ConformanceCase.Kind.allCases where total[kind] != nil {
            print("class \(kind.rawValue): \(passed[kind] ?? 0)/\(total[kind]!) passed")
        }
        let jsonPathFailures = [ConformanceCase.Kind.a, .b].reduce(0) { $0 + (total[$1] ?? 0) - (passed[$1] ?? 0) }
        if jsonPathFailures > 0 { throw ExitCode(1) }
    }
}
