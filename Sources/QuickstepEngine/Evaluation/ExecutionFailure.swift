import QuickstepLanguage

/// An error raised while an execution runs: an ASL error name and a cause, as AWS reports them.
///
/// Thrown with typed throws through the evaluators and the VM, so raising one allocates nothing beyond its strings.
public struct ExecutionFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error name (`States.Runtime`, `States.TaskFailed`, a handler's own name, ...).
    public var error: String
    /// The cause text, or `nil` when there is none (a Fail state without `Cause`).
    public var cause: String?

    public init(error: String, cause: String?) {
        self.error = error
        self.cause = cause
    }

    public var description: String { cause.map { "\(error): \($0)" } ?? error }

    /// `States.Runtime`: uncatchable, fails the execution.
    static func runtime(_ cause: String) -> ExecutionFailure {
        ExecutionFailure(error: ErrorName.runtime, cause: cause)
    }

    static func intrinsic(_ cause: String) -> ExecutionFailure {
        ExecutionFailure(error: ErrorName.intrinsicFailure, cause: cause)
    }
}
