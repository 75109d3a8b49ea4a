import QuickstepJSON
import QuickstepLanguage

extension VM {
    /// Calls the task's handler. Returns whether the execution parked (an asynchronous handler).
    static func invoke(_ index: Int, _ execution: Execution) throws(ExecutionFailure) -> Bool {
        let run = execution.run
        // Read in place (see ``Program/tasks``): only the fields used below are copied.
        let task = UnsafePointer(run.program.tasks.baseAddress! + index)
        let isLambdaInvoke = task.pointee.isLambdaInvoke
        if isLambdaInvoke {
            guard case .string = execution.value["FunctionName"] else {
                throw .runtime(execution.causePrefix() + "The Parameters '\(execution.value.compactText)' could not be used to start the Task: [The field 'FunctionName' is required]")
            }
        }
        var timeout: Int?
        var heartbeat: Int?
        if task.pointee.hasTimeouts {
            timeout = try seconds(task.pointee.timeoutSeconds, field: "TimeoutSecondsPath", execution)
            heartbeat = try seconds(task.pointee.heartbeatSeconds, field: "HeartbeatSecondsPath", execution)
        }
        recordScheduled(execution, task: task, timeout: timeout)
        if let response = mockedResponse(execution, run) {
            switch response.pointee.outcome {
            case .success(let output):
                // A mocked Return is the service's own result: no Invoke wrapping.
                try accept(output, execution, task: task, wrap: false, knownToFit: response.pointee.fitsPayloadLimit)
                execution.pc += 1
                return false
            case .failure(let failure):
                recordFailed(execution, task: task, failure)
                throw failure
            }
        }
        let resource = task.pointee.resource
        var target = resource.arn
        var payload = execution.value
        if isLambdaInvoke, case .string(let functionName)? = execution.value["FunctionName"] {
            target = LambdaShapes.functionArn(functionName, region: run.identity.region, account: run.identity.account)
            payload = LambdaShapes.event(from: execution.value["Payload"])
        }
        let waitsForToken = task.pointee.waitsForToken
        let handler = run.handlers.handler(for: target)
        // A callback task may have no handler when something else answers its token (Engine.sendTaskSuccess).
        if handler == nil && !(waitsForToken && run.tokenBook != nil) {
            throw ExecutionFailure(error: isLambdaInvoke || resource.isLambdaFunction ? "Lambda.ResourceNotFoundException" : ErrorName.taskFailed,
                                   cause: "No task handler is registered for the resource '\(target)'")
        }
        let invocation = TaskInvocation(resource: target, input: payload, stateName: execution.stateName,
                                        retryCount: execution.retryCount, taskToken: execution.taskToken)
        if !waitsForToken, case .synchronous(let body)? = handler {
            let output: JSONValue
            do throws(ExecutionFailure) {
                output = try body(invocation)
            } catch {
                let failure = isLambdaInvoke ? LambdaShapes.invokeFailure(error) : error
                recordFailed(execution, task: task, failure)
                throw failure
            }
            try accept(output, execution, task: task)
            execution.pc += 1
            return false
        }
        // From here the execution parks: an asynchronous handler, or a callback task waiting for its token.
        execution.invocationCounter += 1
        let invocationId = execution.invocationCounter
        let scheduler = execution.scheduler
        let box = UncheckedBox(execution)
        let completion = TaskCompletion { message in scheduler.post(.task(box.value, invocation: invocationId, message)) }
        if waitsForToken, case .synchronous(let body)? = handler {
            // The handler starts the work (sends the token somewhere); its answer is not the task's result.
            do throws(ExecutionFailure) {
                _ = try body(invocation)
            } catch {
                recordFailed(execution, task: task, error)
                throw error
            }
        }
        execution.pendingTask = invocationId
        scheduler.outstandingTasks += 1
        scheduler.mayHaveMessages = true
        // Cancelable: a task that completes in time lets go of its timers, which would otherwise hold the run until
        // they fire (see ``TimerTicket``).
        if let timeout {
            execution.taskTimer = scheduler.scheduleCancelable(after: Int64(timeout) * 1000,
                                                               .taskTimeout(execution, invocation: invocationId))
        }
        execution.heartbeatSeconds = heartbeat
        if let heartbeat {
            execution.heartbeatGeneration += 1
            execution.heartbeatTimer = scheduler.scheduleCancelable(after: Int64(heartbeat) * 1000, .heartbeatTimeout(
                execution, invocation: invocationId, generation: execution.heartbeatGeneration))
        }
        if waitsForToken, let token = execution.taskToken { run.tokenBook?.open(token, completion) }
        if case .asynchronous(let body)? = handler { body(invocation, completion) }
        return true
    }

    /// Delivers the outcome of an asynchronous invocation (or its timeout); stale outcomes are dropped.
    static func complete(_ execution: Execution, invocation: Int, _ outcome: Result<JSONValue, ExecutionFailure>) {
        guard execution.pendingTask == invocation, !execution.finished else { return }
        execution.pendingTask = 0
        cancelTimers(of: execution)
        let task = currentTask(execution)
        let waitsForToken = task?.pointee.waitsForToken ?? false
        if waitsForToken, let token = execution.taskToken, let book = execution.run.tokenBook {
            if case .failure(let failure) = outcome, failure.error == ErrorName.timeout || failure.error == ErrorName.heartbeatTimeout {
                book.close(token, timedOut: true)
            } else {
                book.close(token, timedOut: false)
            }
        }
        switch outcome {
        case .success(let output):
            do throws(ExecutionFailure) {
                // A callback task's result is what SendTaskSuccess sent, never wrapped.
                try accept(output, execution, task: task, wrap: !waitsForToken)
                execution.pc += 1
            } catch {
                execution.pendingFailure = error
            }
        case .failure(var failure):
            if task?.pointee.isLambdaInvoke ?? false {
                failure = LambdaShapes.invokeFailure(failure)
            }
            if let resource = task?.pointee.resource {
                if failure.error == ErrorName.timeout || failure.error == ErrorName.heartbeatTimeout {
                    execution.record(resource.isLambdaFunction ? "LambdaFunctionTimedOut" : "TaskTimedOut",
                                     (resource.isLambdaFunction ? "lambdaFunctionTimedOutEventDetails" : "taskTimedOutEventDetails",
                                      ["error": .string(failure.error)]))
                } else {
                    recordFailed(execution, task: task!, failure)
                }
            }
            execution.pendingFailure = failure
        }
        execution.withScheduler { $0.enqueue(execution) }
    }

    /// Lets go of the completed invocation's timeout and heartbeat deadline (see ``TimerTicket``).
    private static func cancelTimers(of execution: Execution) {
        guard execution.hasExtras else { return }
        if let timer = execution.taskTimer {
            timer.cancel()
            execution.taskTimer = nil
        }
        if let timer = execution.heartbeatTimer {
            timer.cancel()
            execution.heartbeatTimer = nil
        }
    }

    /// A heartbeat for the pending invocation: the heartbeat clock starts again.
    static func heartbeat(_ execution: Execution, invocation: Int) {
        guard execution.pendingTask == invocation, !execution.finished, let seconds = execution.heartbeatSeconds else { return }
        execution.heartbeatGeneration += 1
        execution.heartbeatTimer?.cancel()
        execution.heartbeatTimer = execution.scheduler.scheduleCancelable(after: Int64(seconds) * 1000, .heartbeatTimeout(
            execution, invocation: invocation, generation: execution.heartbeatGeneration))
    }

    private static func currentTask(_ execution: Execution) -> UnsafePointer<CompiledTask>? {
        guard case .invokeTask(let index) = execution.run.program.instructions[execution.pc] else { return nil }
        return UnsafePointer(execution.run.program.tasks.baseAddress! + index)
    }

    /// Takes a handler's output as the task result: wrapped as an Invoke response for `lambda:invoke`, checked
    /// against the payload limit.
    ///
    /// - Parameter knownToFit: the output was checked against the limit before (a mocked response, checked once
    ///   when the mock configuration was resolved).
    ///
    /// The output is consumed: it becomes the execution's value without a copy of its own (which was a retain and
    /// a release per task).
    private static func accept(
        _ output: consuming JSONValue, _ execution: Execution, task: UnsafePointer<CompiledTask>?, wrap: Bool = true, knownToFit: Bool = false
    ) throws(ExecutionFailure) {
        var result = output
        if !knownToFit && result.compactTextExceeds(bytes: Limits.payloadBytes) {
            // AWS names the function ARN for a Lambda task, the service for an integration.
            let name = task.map { $0.pointee.resource.isLambdaFunction ? $0.pointee.resource.arn : $0.pointee.resource.resourceType }
                ?? execution.stateName
            let failure = ExecutionFailure(error: ErrorName.dataLimitExceeded,
                cause: "The state/task '\(name)' returned a result with a size exceeding the maximum number of bytes service limit.")
            if let task { recordFailed(execution, task: task, failure) }
            throw failure
        }
        if task?.pointee.keepsCheckedResult ?? true { execution.checkedResult = result }
        if wrap, task?.pointee.isLambdaInvoke ?? false {
            result = LambdaShapes.invokeResponse(payload: result, logType: execution.value["LogType"]?.stringValue)
        }
        if let task { recordSucceeded(execution, task: task, result: result) }
        // Handed over: read by a closure for the event's details, the result was copied here, twice.
        execution.value = consume result
    }

    /// The mocked response for the execution's current state and attempt, when the run's mocks name the state. The
    /// plan is read borrowed: bound to a local, it was retained and released per task.
    private static func mockedResponse(_ execution: Execution, _ run: RunState) -> UnsafePointer<MockedTestCase.Response>? {
        guard let plan = run.resources.unmanagedMocks else { return nil }
        return plan._withUnsafeGuaranteedRef { mocks in
            guard let slot = mocks.slot(of: execution.state) else { return nil }
            var attempt = 0
            if mocks.countsAttempts {
                attempt = run.withShared {
                    if run.mockAttempts.isEmpty { run.mockAttempts = Array(repeating: 0, count: mocks.slotCount) }
                    defer { run.mockAttempts[slot] += 1 }
                    return run.mockAttempts[slot]
                }
            }
            return mocks.response(slot: slot, attempt: attempt)
        }
    }

    /// Records the task's success with its result (read only when events are kept).
    private static func recordSucceeded(_ execution: Execution, task: UnsafePointer<CompiledTask>, result: JSONValue) {
        let isLambda = task.pointee.resource.isLambdaFunction
        // Built only when events are kept (`record` evaluates its details lazily).
        func details() -> JSONObject {
            let resource = task.pointee.resource
            var details: JSONObject = ["output": .string(result.compactText), "outputDetails": ["truncated": false]]
            if !isLambda {
                details["resourceType"] = .string(resource.resourceType)
                details["resource"] = .string(resource.resourceName)
            }
            return details
        }
        execution.record(isLambda ? "LambdaFunctionSucceeded" : "TaskSucceeded",
                         (isLambda ? "lambdaFunctionSucceededEventDetails" : "taskSucceededEventDetails", details()))
    }

    /// Records the task's scheduling, with its input (the effective input, which is read only when events are kept).
    private static func recordScheduled(_ execution: Execution, task: UnsafePointer<CompiledTask>, timeout: Int?) {
        guard execution.run.keepsEvents else {
            // Two events (scheduled, started) that are not kept: their ids alone, taken together.
            execution.lastEventId = execution.run.skipEvents(2) + 1
            return
        }
        let input = execution.value
        let resource = task.pointee.resource
        if resource.isLambdaFunction {
            var details: JSONObject = ["resource": .string(resource.arn), "input": .string(input.compactText),
                                       "inputDetails": ["truncated": false]]
            if let timeout { details["timeoutInSeconds"] = .int(Int64(timeout)) }
            execution.record("LambdaFunctionScheduled", ("lambdaFunctionScheduledEventDetails", details))
            execution.record("LambdaFunctionStarted")
        } else {
            var details: JSONObject = ["resourceType": .string(resource.resourceType), "resource": .string(resource.resourceName),
                                       "region": .string(execution.run.identity.region), "parameters": .string(input.compactText)]
            if let timeout { details["timeoutInSeconds"] = .int(Int64(timeout)) }
            execution.record("TaskScheduled", ("taskScheduledEventDetails", details))
            execution.record("TaskStarted", ("taskStartedEventDetails", ["resourceType": .string(resource.resourceType),
                                                                           "resource": .string(resource.resourceName)]))
        }
    }

    private static func recordFailed(_ execution: Execution, task: UnsafePointer<CompiledTask>, _ failure: ExecutionFailure) {
        let resource = task.pointee.resource
        var details: JSONObject = ["error": .string(failure.error)]
        if let cause = failure.cause { details["cause"] = .string(cause) }
        if resource.isLambdaFunction {
            execution.record("LambdaFunctionFailed", ("lambdaFunctionFailedEventDetails", details))
        } else {
            details["resourceType"] = .string(resource.resourceType)
            details["resource"] = .string(resource.resourceName)
            execution.record("TaskFailed", ("taskFailedEventDetails", details))
        }
    }

    /// A `*Seconds` / `*SecondsPath` value.
    static func seconds(_ value: DynamicValue<Int>?, field: String, _ execution: Execution) throws(ExecutionFailure) -> Int? {
        switch value {
        case nil: return nil
        case .constant(let seconds)?: return seconds
        case .path(let path)?:
            // AWS reads TimeoutSecondsPath and HeartbeatSecondsPath from the state's input, not the effective input.
            let found = try select(path, from: execution.rawInput, in: execution)
            guard case .int(let integer) = found, integer > 0, integer <= 99_999_999 else {
                throw .runtime(execution.causePrefix() + "The \(field) field refers to value \(found.compactText) which is not a valid positive integer: \(path.text)")
            }
            return Int(integer)
        case .intrinsic?, .expression?:
            throw .runtime(execution.causePrefix() + "JSONata is not evaluated yet")
        }
    }
}

/// Task tokens: opaque, unique, URL-safe text like AWS's.
enum TaskTokens {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<48).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Base64.encode(bytes).replacingSlashesAndPluses()
    }
}

extension String {
    fileprivate func replacingSlashesAndPluses() -> String {
        String(map { $0 == "/" ? "_" : ($0 == "+" ? "-" : $0) })
    }
}

/// Carries a non-Sendable reference into a completion closure. The execution is only touched again on the
/// scheduler's thread, after the completion passes through its inbox.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: consuming Value) { self.value = value }
}

extension TaskResource {
    var isLambdaFunction: Bool {
        if case .lambdaFunction = kind { return true }
        return false
    }

    /// `resourceType` in Task events: the service (`lambda`, `sqs`, ...).
    var resourceType: String {
        switch kind {
        case .lambdaFunction: "lambda"
        case .activity: "activity"
        case .serviceIntegration(let service, _), .sdkIntegration(let service, _): service
        }
    }

    /// `resource` in Task events: the action with its pattern suffix (`invoke`, `startExecution.sync`).
    var resourceName: String {
        switch kind {
        case .lambdaFunction(let name), .activity(let name): name
        case .serviceIntegration(_, let action), .sdkIntegration(_, let action): action + pattern.rawValue
        }
    }
}
