/// One problem found in a state machine definition, shaped like an entry of AWS's
/// `ValidateStateMachineDefinition` response: a severity, AWS's code, a message, and the JSON-pointer location
/// in the definition (`/States/Charge/Retry/0/ErrorEquals`).
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    /// How serious the problem is; only errors make a definition invalid.
    public enum Severity: String, Sendable {
        case error = "ERROR"
        case warning = "WARNING"
    }

    /// AWS's diagnostic codes (`ValidateStateMachineDefinitionDiagnostic`).
    public enum Code: String, Sendable {
        /// The definition text is not JSON.
        case invalidJSONDescription = "INVALID_JSON_DESCRIPTION"
        /// The definition is empty.
        case missingDescription = "MISSING_DESCRIPTION"
        /// A field is missing, unknown, of the wrong type or out of range.
        case schemaValidationFailed = "SCHEMA_VALIDATION_FAILED"
        /// A Task's `Resource` is not a resource ARN Quickstep recognises.
        case invalidResource = "INVALID_RESOURCE"
        /// A `States` object has no state that ends it.
        case missingEndState = "MISSING_END_STATE"
        /// Two states share a name.
        case duplicateStateName = "DUPLICATE_STATE_NAME"
        /// A state name breaks AWS's naming rules.
        case invalidStateName = "INVALID_STATE_NAME"
        /// A transition names a state that does not exist in its `States` object, or a state cannot be reached.
        case missingTransitionTarget = "MISSING_TRANSITION_TARGET"
    }

    public var severity: Severity
    public var code: Code
    public var message: String
    /// A JSON pointer into the definition (`/` is the whole document).
    public var location: String

    public init(_ code: Code, _ message: String, at location: String, severity: Severity = .error) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
    }

    /// `CODE: message at /location`, the way AWS words an invalid definition.
    public var description: String {
        "\(code.rawValue): \(message) at \(location)"
    }
}

/// A definition that failed validation, with every problem found.
public struct InvalidDefinition: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// AWS's `InvalidDefinition` wording for the first problem, followed by the rest one per line.
    public var description: String {
        diagnostics.map { "Invalid State Machine Definition: '\($0)'" }.joined(separator: "\n")
    }
}

/// Builds JSON pointers (RFC 6901) for diagnostic locations.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    public private(set) var tokens: [String]

    /// The pointer to the whole document, `/`.
    public static let root = JSONPointer(tokens: [])

    public init(tokens: [String]) {
        self.tokens = tokens
    }

    /// The pointer to a member or element below this one.
    public func appending(_ token: String) -> JSONPointer {
        JSONPointer(tokens: tokens + [token])
    }

    public func appending(_ index: Int) -> JSONPointer {
        appending(String(index))
    }

    public var description: String {
        guard !tokens.isEmpty else { return "/" }
        return tokens.map {
            "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        }.joined()
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
