import Foundation
import QuickstepJSON

/// One recorded AWS execution: a definition, an input, the result AWS gave, and what the case needs
/// (the conformance corpus format, `Tests/Conformance/README.md`).
public struct ConformanceCase: Sendable {
    /// The class the pass counts are kept by.
    public enum Kind: String, Sendable, CaseIterable, Comparable {
        /// Pure ASL in JSONPath mode.
        case a
        /// JSONPath mode with Lambda tasks (stubbed).
        case b
        /// Uses JSONata anywhere.
        case jsonata

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var name: String
    public var definition: [UInt8]
    public var input: JSONValue
    public var expected: JSONValue
    public var meta: JSONValue

    public var kind: Kind {
        if meta["features"]?.arrayValue?.contains("jsonata") == true { return .jsonata }
        return meta["class"]?.stringValue == "b" ? .b : .a
    }

    /// Reads the case in `directory` (`definition.json`, `input.json`, `expected.json`, `meta.json`).
    public init(directory: URL) throws {
        func read(_ file: String) throws -> [UInt8] {
            [UInt8](try Data(contentsOf: directory.appendingPathComponent(file)))
        }
        name = directory.lastPathComponent
        definition = try read("definition.json")
        input = try JSONParser.parse(try read("input.json"))
        expected = try JSONParser.parse(try read("expected.json"))
        meta = try JSONParser.parse(try read("meta.json"))
    }

    /// Every case under `directory`, sorted by name.
    public static func all(in directory: URL) throws -> [ConformanceCase] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            .map { directory.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("definition.json").path) }
            .map { try ConformanceCase(directory: $0) }
    }
}
