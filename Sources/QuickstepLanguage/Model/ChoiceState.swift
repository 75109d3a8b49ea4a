import QuickstepJSON

/// A Choice state: moves to the `Next` of the first rule that holds, else to `Default`.
public struct ChoiceState: Sendable {
    public var choices: [ChoiceBranch]
    public var defaultState: String?
    public var dataProcessing: DataProcessing
}

/// A top-level Choice rule with its `Next`.
public struct ChoiceBranch: Sendable {
    public var rule: ChoiceRule
    public var next: String
    public var assign: Assignment?
    /// JSONata: the state's output when this rule is chosen.
    public var output: JSONataTemplate?
}

/// A Choice rule, compiled from its JSON form: typed operands, timestamps and patterns already parsed.
public indirect enum ChoiceRule: Sendable {
    case and([ChoiceRule])
    case or([ChoiceRule])
    case not(ChoiceRule)
    /// A data test: `Variable` and one comparison operator.
    case test(variable: JSONPath, operator: ChoiceOperator, operand: ChoiceOperand)
    /// JSONata `Condition`: `true`, `false` or an expression.
    case condition(DynamicValue<Bool>)
}

/// The right-hand side of a data test.
public enum ChoiceOperand: Sendable {
    case string(String)
    case number(Double)
    case boolean(Bool)
    case timestamp(Timestamp)
    /// `StringMatches`: the pattern split at its unescaped `*` wildcards.
    case pattern([String])
    /// The `...Path` operators: a path on the effective input (or the context, or a variable).
    case path(JSONPath)
}

/// Every Choice comparison operator.
public enum ChoiceOperator: String, Sendable, CaseIterable {
    case stringEquals = "StringEquals", stringEqualsPath = "StringEqualsPath"
    case stringLessThan = "StringLessThan", stringLessThanPath = "StringLessThanPath"
    case stringGreaterThan = "StringGreaterThan", stringGreaterThanPath = "StringGreaterThanPath"
    case stringLessThanEquals = "StringLessThanEquals", stringLessThanEqualsPath = "StringLessThanEqualsPath"
    case stringGreaterThanEquals = "StringGreaterThanEquals", stringGreaterThanEqualsPath = "StringGreaterThanEqualsPath"
    case stringMatches = "StringMatches"
    case numericEquals = "NumericEquals", numericEqualsPath = "NumericEqualsPath"
    case numericLessThan = "NumericLessThan", numericLessThanPath = "NumericLessThanPath"
    case numericGreaterThan = "NumericGreaterThan", numericGreaterThanPath = "NumericGreaterThanPath"
    case numericLessThanEquals = "NumericLessThanEquals", numericLessThanEqualsPath = "NumericLessThanEqualsPath"
    case numericGreaterThanEquals = "NumericGreaterThanEquals", numericGreaterThanEqualsPath = "NumericGreaterThanEqualsPath"
    case booleanEquals = "BooleanEquals", booleanEqualsPath = "BooleanEqualsPath"
    case timestampEquals = "TimestampEquals", timestampEqualsPath = "TimestampEqualsPath"
    case timestampLessThan = "TimestampLessThan", timestampLessThanPath = "TimestampLessThanPath"
    case timestampGreaterThan = "TimestampGreaterThan", timestampGreaterThanPath = "TimestampGreaterThanPath"
    case timestampLessThanEquals = "TimestampLessThanEquals", timestampLessThanEqualsPath = "TimestampLessThanEqualsPath"
    case timestampGreaterThanEquals = "TimestampGreaterThanEquals", timestampGreaterThanEqualsPath = "TimestampGreaterThanEqualsPath"
    case isNull = "IsNull", isPresent = "IsPresent", isNumeric = "IsNumeric", isString = "IsString"
    case isBoolean = "IsBoolean", isTimestamp = "IsTimestamp"

    /// The kind of value an operator compares.
    public enum Family: Sendable {
        case string, stringMatch, numeric, boolean, timestamp, typeTest
    }

    /// Decided by a switch, not from the name: the VM asks on every comparison (the name's prefixes were 7 % of
    /// choice_heavy's time).
    public var family: Family {
        switch self {
        case .stringMatches: return .stringMatch
        case .stringEquals, .stringEqualsPath, .stringLessThan, .stringLessThanPath, .stringGreaterThan,
             .stringGreaterThanPath, .stringLessThanEquals, .stringLessThanEqualsPath, .stringGreaterThanEquals,
             .stringGreaterThanEqualsPath:
            return .string
        case .numericEquals, .numericEqualsPath, .numericLessThan, .numericLessThanPath, .numericGreaterThan,
             .numericGreaterThanPath, .numericLessThanEquals, .numericLessThanEqualsPath, .numericGreaterThanEquals,
             .numericGreaterThanEqualsPath:
            return .numeric
        case .booleanEquals, .booleanEqualsPath: return .boolean
        case .timestampEquals, .timestampEqualsPath, .timestampLessThan, .timestampLessThanPath, .timestampGreaterThan,
             .timestampGreaterThanPath, .timestampLessThanEquals, .timestampLessThanEqualsPath,
             .timestampGreaterThanEquals, .timestampGreaterThanEqualsPath:
            return .timestamp
        case .isNull, .isPresent, .isNumeric, .isString, .isBoolean, .isTimestamp: return .typeTest
        }
    }

    /// How a comparing operator relates its value to the operand.
    public enum Relation: Sendable {
        case equal, less, greater, lessOrEqual, greaterOrEqual

        /// Whether a three-way comparison result (-1, 0, 1) satisfies the relation.
        @inlinable
        public func holds(_ order: Int) -> Bool {
            switch self {
            case .equal: return order == 0
            case .less: return order < 0
            case .greater: return order > 0
            case .lessOrEqual: return order <= 0
            case .greaterOrEqual: return order >= 0
            }
        }
    }

    /// The relation a comparing operator tests (`.equal` for the rest).
    public var relation: Relation {
        switch self {
        case .stringLessThan, .stringLessThanPath, .numericLessThan, .numericLessThanPath, .timestampLessThan,
             .timestampLessThanPath:
            return .less
        case .stringGreaterThan, .stringGreaterThanPath, .numericGreaterThan, .numericGreaterThanPath,
             .timestampGreaterThan, .timestampGreaterThanPath:
            return .greater
        case .stringLessThanEquals, .stringLessThanEqualsPath, .numericLessThanEquals, .numericLessThanEqualsPath,
             .timestampLessThanEquals, .timestampLessThanEqualsPath:
            return .lessOrEqual
        case .stringGreaterThanEquals, .stringGreaterThanEqualsPath, .numericGreaterThanEquals,
             .numericGreaterThanEqualsPath, .timestampGreaterThanEquals, .timestampGreaterThanEqualsPath:
            return .greaterOrEqual
        default:
            return .equal
        }
    }

    /// Whether the operand is a path (`...Path` operators).
    public var takesPath: Bool { rawValue.hasSuffix("Path") }
}
