import QuickstepJSON
import QuickstepLanguage

extension TaskHandlerRegistry {
    /// Resources for trying workflows out and for benchmarks, needing no handler code:
    ///
    /// | resource | result |
    /// | --- | --- |
    /// | `arn:aws:states:::quickstep:echo` | the effective input |
    /// | `arn:aws:states:::quickstep:return` | the effective input's `Value` member (a fixed value in `Parameters`) |
    /// | `arn:aws:states:::quickstep:fail` | fails with the input's `Error` and `Cause` members |
    public func registerBuiltIns() {
        register(BuiltInResource.echo) { invocation in invocation.input }
        register(BuiltInResource.return) { invocation in invocation.input["Value"] ?? .null }
        register(BuiltInResource.fail) { (invocation) throws(ExecutionFailure) -> JSONValue in
            throw ExecutionFailure(error: invocation.input["Error"]?.stringValue ?? "Quickstep.Failure",
                                   cause: invocation.input["Cause"]?.stringValue)
        }
    }
}

/// The ARNs of the built-in resources.
public enum BuiltInResource {
    public static let echo = "arn:aws:states:::quickstep:echo"
    public static let `return` = "arn:aws:states:::quickstep:return"
    public static let fail = "arn:aws:states:::quickstep:fail"
}
