import QuickstepJSON

/// A Pass state: passes its input on, or a fixed `Result`, through the usual processing.
public struct PassState: Sendable {
    public var transition: Transition
    public var dataProcessing: DataProcessing
    /// JSONPath `Result`: the value to use as the state's result instead of its effective input.
    public var result: JSONValue?
}

/// A Wait state: pauses for a number of seconds or until a timestamp.
public struct WaitState: Sendable {
    public var transition: Transition
    public var dataProcessing: DataProcessing
    public var duration: Duration

    /// How long to wait: exactly one of `Seconds`, `SecondsPath`, `Timestamp`, `TimestampPath`.
    public enum Duration: Sendable {
        case seconds(DynamicValue<Int>)
        case timestamp(DynamicValue<Timestamp>)
    }
}

/// A Succeed state: ends the execution (or the branch or iteration) successfully.
public struct SucceedState: Sendable {
    public var dataProcessing: DataProcessing
}

/// A Fail state: ends the execution (or fails the branch or iteration) with an error and a cause.
public struct FailState: Sendable {
    /// `Error` or `ErrorPath` (JSONPath: a path or an intrinsic call; JSONata: an expression).
    public var error: DynamicValue<String>?
    /// `Cause` or `CausePath`.
    public var cause: DynamicValue<String>?
}
