import QuickstepJSON
import QuickstepLanguage

extension VM {
    /// Handles a failure raised in the current state: the first retrier that matches retries (if it has attempts
    /// left; an exhausted one stops retrying), else the first catcher that matches takes over, else the graph fails.
    ///
    /// - Returns: whether the execution goes on running now (a catcher took over).
    static func handle(_ failure: ExecutionFailure, in execution: Execution) -> Bool {
        // Before the first state, or in a catcher's handler (its ResultPath did not apply to the raw input, or its
        // Assign failed): nothing handles it.
        guard execution.state >= 0, !execution.isCatching else {
            finish(execution, .failure(failure))
            return false
        }
        let compiled = execution.run.program.tables.states[execution.state]
        if let position = compiled.retriers.firstIndex(where: { matches($0.errorEquals, failure) }) {
            let retrier = compiled.retriers[position]
            if execution.retryAttempts.isEmpty { execution.retryAttempts = Array(repeating: 0, count: compiled.retriers.count) }
            if execution.retryAttempts[position] < retrier.maxAttempts {
                execution.retryAttempts[position] += 1
                execution.retryCount += 1
                execution.value = execution.rawInput
                execution.pc = compiled.retryPC
                if compiled.issuesTaskToken { execution.taskToken = TaskTokens.make() }
                execution.scheduler.schedule(after: retryDelay(retrier, attempt: execution.retryAttempts[position]),
                                                 .resume(execution))
                return false
            }
        }
        if let catcher = compiled.catchers.first(where: { matches($0.errorEquals, failure) }) {
            var errorOutput: JSONObject = ["Error": .string(failure.error)]
            if let cause = failure.cause { errorOutput["Cause"] = .string(cause) }
            execution.value = .object(errorOutput)
            execution.pc = catcher.handlerPC
            execution.isCatching = true
            return true
        }
        finish(execution, .failure(failure))
        return false
    }

    /// Whether an `ErrorEquals` list matches: by name; `States.ALL` for anything but the terminal `States.Runtime`;
    /// `States.TaskFailed` for any error a task raised itself (a name outside `States.*`), as AWS does: a Lambda
    /// function's `Exception` is caught by `States.TaskFailed` (conformance: test_task_lambda raise_exception_catch).
    static func matches(_ errorEquals: [String], _ failure: ExecutionFailure) -> Bool {
        for name in errorEquals {
            if name == failure.error { return true }
            if name == ErrorName.all && failure.error != ErrorName.runtime { return true }
            if name == ErrorName.taskFailed && !failure.error.hasPrefix("States.") && !failure.error.isEmpty { return true }
        }
        return false
    }

    /// IntervalSeconds × BackoffRate^(attempt − 1), capped by MaxDelaySeconds, with FULL jitter drawn uniformly
    /// from [0, interval]; in milliseconds.
    static func retryDelay(_ retrier: Retrier, attempt: Int) -> Int64 {
        var seconds = Double(retrier.intervalSeconds) * pow(retrier.backoffRate, Double(attempt - 1))
        if let cap = retrier.maxDelaySeconds { seconds = min(seconds, Double(cap)) }
        if retrier.jitterStrategy == .full { seconds = Double.random(in: 0...seconds) }
        return Int64((seconds * 1000).rounded())
    }

    private static func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        for _ in 0..<Int(exponent) { result *= base }
        return result
    }
}
