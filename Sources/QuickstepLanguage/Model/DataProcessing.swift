import QuickstepJSON

/// The input and output processing fields of a state, in both query languages.
///
/// Each state type allows a subset (the loader rejects the others); absent fields hold AWS's defaults, so the
/// compiler can read every field of every state the same way.
public struct DataProcessing: Sendable {
    // JSONPath states.
    /// `InputPath`: `$` unless set; `null` makes the effective input `{}`.
    public var inputPath: OptionalPath = .path(.input)
    /// `Parameters` (for Map, the deprecated spelling of `ItemSelector` is kept in ``MapState``).
    public var parameters: PayloadTemplate?
    public var resultSelector: PayloadTemplate?
    /// `ResultPath`: `$` unless set; `null` discards the result.
    public var resultPath: OptionalPath = .path(.input)
    /// `OutputPath`: `$` unless set; `null` makes the output `{}`.
    public var outputPath: OptionalPath = .path(.input)

    // JSONata states.
    public var arguments: JSONataTemplate?
    public var output: JSONataTemplate?

    // Both.
    public var assign: Assignment?

    public init() {}
}

/// A path field that may also be JSON `null`.
public enum OptionalPath: Sendable, Hashable {
    case path(JSONPath)
    case null
}

/// An `Assign` block: a payload template in JSONPath states, a JSONata template in JSONata states.
public enum Assignment: Sendable {
    case jsonPath(PayloadTemplate)
    case jsonata(JSONataTemplate)
}

/// A value given as a constant, a path, an intrinsic call or a JSONata expression, such as Wait's
/// `Seconds`/`SecondsPath` or Fail's `Error`/`ErrorPath`.
public enum DynamicValue<Constant: Sendable>: Sendable {
    case constant(Constant)
    case path(JSONPath)
    case intrinsic(IntrinsicCall)
    /// The text between `{%` and `%}`.
    case expression(String)
}

/// A JSON value in a JSONata state, in which strings of the form `{% expression %}` are expressions.
///
/// The expressions are kept as text until the JSONata evaluator arrives; their placement is validated now.
public struct JSONataTemplate: Sendable {
    public var value: JSONValue

    public init(_ value: JSONValue) {
        self.value = value
    }

    /// The expression text of a `{% ... %}` string, or `nil` for any other string.
    public static func expression(in text: String) -> String? {
        guard text.hasPrefix("{%"), text.hasSuffix("%}"), text.count >= 4 else { return nil }
        return String(text.dropFirst(2).dropLast(2))
    }

    /// Whether the template holds no expression at all.
    public var isConstant: Bool { !Self.containsExpression(value) }

    static func containsExpression(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): expression(in: text) != nil
        case .array(let elements): elements.contains(where: containsExpression)
        case .object(let object): object.contains { containsExpression($0.value) }
        default: false
        }
    }
}

/// A JSONPath payload template (`Parameters`, `ResultSelector`, `ItemSelector`, JSONPath `Assign`): a JSON value
/// in which members whose key ends in `.$` are computed from a path or an intrinsic call.
///
/// Static parts are kept as ready-made JSON values, so evaluating a template only computes its dynamic slots.
/// Not `indirect`: nesting goes through arrays, so no case needs a box of its own.
public enum PayloadTemplate: Sendable {
    /// A value with nothing to compute.
    case constant(JSONValue)
    /// An object with at least one computed member; keys are final (the `.$` already removed).
    case object([(key: String, value: PayloadTemplate)])
    /// An array with at least one element that has something to compute.
    case array([PayloadTemplate])
    /// `"key.$": "$.path"` (also `$$.context` and `$variable` paths).
    case path(JSONPath)
    /// `"key.$": "States.Function(...)"`.
    case intrinsic(IntrinsicCall)

    /// Whether the template needs no evaluation.
    public var isConstant: Bool {
        if case .constant = self { return true }
        return false
    }
}
