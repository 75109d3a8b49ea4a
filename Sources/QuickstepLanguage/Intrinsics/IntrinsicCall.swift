import QuickstepJSON

/// The 18 `States.*` intrinsic functions, with the argument counts AWS accepts.
public enum IntrinsicFunction: String, Sendable, Hashable, CaseIterable {
    case format = "States.Format"
    case stringToJson = "States.StringToJson"
    case jsonToString = "States.JsonToString"
    case array = "States.Array"
    case arrayPartition = "States.ArrayPartition"
    case arrayContains = "States.ArrayContains"
    case arrayRange = "States.ArrayRange"
    case arrayGetItem = "States.ArrayGetItem"
    case arrayLength = "States.ArrayLength"
    case arrayUnique = "States.ArrayUnique"
    case base64Encode = "States.Base64Encode"
    case base64Decode = "States.Base64Decode"
    case hash = "States.Hash"
    case jsonMerge = "States.JsonMerge"
    case mathRandom = "States.MathRandom"
    case mathAdd = "States.MathAdd"
    case stringSplit = "States.StringSplit"
    case uuid = "States.UUID"

    /// How many arguments the function takes.
    public var arity: ClosedRange<Int> {
        switch self {
        case .format: 1...Int.max
        case .array: 0...Int.max
        case .stringToJson, .jsonToString, .arrayLength, .arrayUnique, .base64Encode, .base64Decode: 1...1
        case .arrayPartition, .arrayContains, .arrayGetItem, .hash, .mathAdd, .stringSplit: 2...2
        case .arrayRange, .jsonMerge: 3...3
        case .mathRandom: 2...3
        case .uuid: 0...0
        }
    }
}

/// A parsed intrinsic function call such as `States.Format('Hello, {}!', $.name)`.
public struct IntrinsicCall: Sendable, Hashable, CustomStringConvertible {
    public let function: IntrinsicFunction
    public let arguments: [IntrinsicArgument]
    /// For `States.Format` with a literal template: the template split at its `{}` placeholders, escapes resolved.
    public let formatTemplate: [FormatPart]?
    /// The call as written, for error messages.
    public let text: String

    public init(function: IntrinsicFunction, arguments: [IntrinsicArgument], formatTemplate: [FormatPart]?, text: String) {
        self.function = function
        self.arguments = arguments
        self.formatTemplate = formatTemplate
        self.text = text
    }

    public var description: String { text }
}

/// One argument of an intrinsic call. Not `indirect`: a nested call holds its arguments in an array.
public enum IntrinsicArgument: Sendable, Hashable {
    /// A string, number, boolean or `null` written in the call.
    case literal(JSONValue)
    /// A path on the input (`$.x`), the context (`$$.x`) or a variable (`$x`).
    case path(JSONPath)
    /// A nested call.
    case call(IntrinsicCall)
}

/// A piece of a `States.Format` template.
public enum FormatPart: Sendable, Hashable {
    case text(String)
    case placeholder
}
