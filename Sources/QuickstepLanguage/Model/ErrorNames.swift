/// The names of the errors that Step Functions predefines (the `States.*` error names), as constants so that no
/// code spells them by hand. Source: the Amazon States Language specification, "Errors".
public enum ErrorName {
    /// Matches any error name in a Retry or Catch `ErrorEquals` (it must appear alone and last).
    public static let all = "States.ALL"
    public static let dataLimitExceeded = "States.DataLimitExceeded"
    public static let exceedToleratedFailureThreshold = "States.ExceedToleratedFailureThreshold"
    public static let heartbeatTimeout = "States.HeartbeatTimeout"
    public static let intrinsicFailure = "States.IntrinsicFailure"
    public static let itemReaderFailed = "States.ItemReaderFailed"
    public static let noChoiceMatched = "States.NoChoiceMatched"
    public static let parameterPathFailure = "States.ParameterPathFailure"
    public static let permissions = "States.Permissions"
    public static let queryEvaluationError = "States.QueryEvaluationError"
    public static let resultPathMatchFailure = "States.ResultPathMatchFailure"
    public static let resultWriterFailed = "States.ResultWriterFailed"
    public static let runtime = "States.Runtime"
    public static let taskFailed = "States.TaskFailed"
    public static let timeout = "States.Timeout"
    public static let branchFailed = "States.BranchFailed"
}
