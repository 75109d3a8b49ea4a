import Dispatch
import QuickstepEngine
import QuickstepJSON
import QuickstepLanguage

/// Runs conformance cases and compares each outcome with what AWS recorded, by the corpus's rules: status exactly;
/// output as JSON values (key order ignored, `1 == 1.0`); error exactly; cause exactly, or as JSON when AWS recorded
/// a JSON document; values at the `redacted` paths only need to be present.
public enum ConformanceRunner {
    /// The outcome of one case.
    public struct Outcome: Sendable {
        public var name: String
        public var kind: ConformanceCase.Kind
        /// Empty when the case passed.
        public var differences: [String]
        public var passed: Bool { differences.isEmpty }
    }

    /// The region and account the corpus was recorded with.
    static let account = "111111111111"

    public static func run(_ testCase: ConformanceCase) -> Outcome {
        var differences: [String] = []
        do {
            let machine = try StateMachine(definition: testCase.definition)
            let program = Program(machine)
            var options = ExecutionOptions()
            options.clock = .virtual
            options.account = account
            options.stateMachineName = "StateMachine"
            let result = program.run(input: testCase.input, handlers: stubs(testCase.meta), options: options)
            differences = compare(result, with: testCase.expected)
        } catch {
            differences = ["the definition was rejected: \(error)"]
        }
        return Outcome(name: testCase.name, kind: testCase.kind, differences: differences)
    }

    /// The Lambda stubs a class b case names in `meta.json`.
    ///
    /// A case that names a single function has it bound to every function ARN: some recordings call the function
    /// by another name than the one their metadata gives (test_lambda_service_invoke calls
    /// `lambda_function_name`, its metadata names `id_function_0`).
    static func stubs(_ meta: JSONValue) -> TaskHandlerRegistry {
        let registry = TaskHandlerRegistry()
        guard let functions = meta["lambda_functions"]?.objectValue else { return registry }
        for (_, function) in functions {
            guard var arn = function["arn"]?.stringValue, let stub = function["stub"] else { continue }
            if functions.count == 1 { arn = "arn:aws:lambda:*:function:*" }
            switch stub["kind"]?.stringValue {
            case "identity":
                registry.register(arn) { invocation in invocation.input }
            case "constant":
                let value = stub["value"] ?? .null
                registry.register(arn) { _ in value }
            case "raise":
                let errorType = stub["errorType"]?.stringValue ?? "Exception"
                let message = stub["errorMessage"]?.stringValue ?? ""
                registry.register(arn) { (_) throws(ExecutionFailure) -> JSONValue in
                    let payload: JSONValue = [
                        "errorMessage": .string(message), "errorType": .string(errorType), "requestId": .string(LambdaStub.requestId()),
                        "stackTrace": [.string("  File \"/var/task/handler.py\", line 2, in handler\n    raise \(errorType)(\"\(message)\")\n")],
                    ]
                    // The Python runtime's own text, with json.dumps's spaces.
                    throw ExecutionFailure(error: errorType, cause: PythonText.dumps(payload))
                }
            case "python_bytes":
                let text = stub["value"]?.stringValue ?? ""
                registry.register(arn) { _ in (try? JSONParser.parse(text)) ?? .string(text) }
            case "python_bytes_repeat":
                let text = String(repeating: stub["char"]?.stringValue ?? "a", count: Int(stub["count"]?.integerValue ?? 0))
                registry.register(arn) { _ in .string(text) }
            case "sleep_then_identity":
                let seconds = stub["seconds"]?.numberValue ?? 0
                registry.register(arn, .asynchronous { invocation, completion in
                    DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { completion.succeed(invocation.input) }
                })
            default:
                continue
            }
        }
        return registry
    }

    // MARK: Comparison

    static func compare(_ result: ExecutionResult, with expected: JSONValue) -> [String] {
        let redacted = Set((expected["redacted"]?.arrayValue ?? []).compactMap(\.stringValue))
        var differences: [String] = []
        let status = expected["status"]?.stringValue ?? ""
        if result.status.rawValue != status {
            differences.append("status: expected \(status), got \(result.status.rawValue)"
                               + (result.error.map { " (\($0): \(result.cause ?? ""))" } ?? ""))
            return differences
        }
        if status == "SUCCEEDED" {
            compareValues(result.output ?? .null, expected["output"] ?? .null, path: "$[\"output\"]", redacted: redacted, into: &differences)
        }
        let expectedError = expected["error"]?.stringValue
        if result.error != expectedError {
            differences.append("error: expected \(expectedError ?? "null"), got \(result.error ?? "null")")
        }
        let causePath = "$[\"cause\"]"
        switch expected["cause"] ?? .null {
        case .null:
            if result.cause != nil { differences.append("cause: expected null, got \(result.cause!)") }
        case .string(let text):
            if redacted.contains(causePath) {
                if result.cause == nil { differences.append("cause: expected a value, got null") }
            } else if result.cause != text {
                differences.append("cause: expected \(text)\n       got      \(result.cause ?? "null")")
            }
        case let document:
            guard let cause = result.cause, let parsed = try? JSONParser.parse(cause) else {
                differences.append("cause: expected the JSON document \(document.compactText), got \(result.cause ?? "null")")
                break
            }
            compareValues(parsed, document, path: causePath, redacted: redacted, into: &differences)
        }
        return differences
    }

    /// Compares JSON values, allowing anything (but something) at redacted paths.
    static func compareValues(_ actual: JSONValue, _ expected: JSONValue, path: String, redacted: Set<String>, into differences: inout [String]) {
        if redacted.contains(path) { return }
        switch (actual, expected) {
        case (.object(let a), .object(let e)):
            for member in e {
                let childPath = path + "[\"\(member.key)\"]"
                guard let value = a[member.key] else {
                    differences.append("\(childPath): missing, expected \(member.value.compactText)")
                    continue
                }
                compareValues(value, member.value, path: childPath, redacted: redacted, into: &differences)
            }
            for member in a where e[member.key] == nil {
                differences.append("\(path)[\"\(member.key)\"]: unexpected \(member.value.compactText)")
            }
        case (.array(let a), .array(let e)) where a.count == e.count:
            for (index, pair) in zip(a, e).enumerated() {
                compareValues(pair.0, pair.1, path: path + "[\(index)]", redacted: redacted, into: &differences)
            }
        default:
            if actual != expected {
                differences.append("\(path): expected \(expected.compactText), got \(actual.compactText)")
            }
        }
    }
}

/// Request ids as Lambda makes them.
enum LambdaStub {
    static func requestId() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = (0..<32).map { _ in String(Int.random(in: 0..<16, using: &generator), radix: 16) }.joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }
}

/// `json.dumps` text with Python's default separators, as a Python Lambda runtime writes error payloads.
enum PythonText {
    static func dumps(_ value: JSONValue) -> String {
        switch value {
        case .array(let elements): return "[" + elements.map(dumps).joined(separator: ", ") + "]"
        case .object(let object):
            return "{" + object.map { JSONValue.string($0.key).compactText + ": " + dumps($0.value) }.joined(separator: ", ") + "}"
        default: return value.compactText
        }
    }
}
