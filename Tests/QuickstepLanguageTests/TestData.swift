import Foundation
import QuickstepJSON

/// The test data kept beside the test targets: `Tests/Conformance` (recorded AWS executions, Apache-2.0, see its
/// NOTICE) and `Tests/Workloads` (the benchmark workflows).
enum TestData {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let conformanceCases = testsFolder.appendingPathComponent("Conformance/cases")
    static let workloads = testsFolder.appendingPathComponent("Workloads")

    /// The names of the conformance cases, sorted.
    static var caseNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: conformanceCases.path)) ?? []).sorted()
    }

    /// The workload definitions (`NAME.json`), sorted.
    static var workloadNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: workloads.path)) ?? [])
            .filter { $0.hasSuffix(".json") && $0.split(separator: ".").count == 2 }
            .sorted()
    }

    static func bytes(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }
}
