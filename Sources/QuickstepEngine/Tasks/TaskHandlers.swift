import QuickstepJSON
import QuickstepLanguage
import Synchronization

/// What a task handler is given: the resource it was called for, the effective input, and the state's context.
public struct TaskInvocation: Sendable {
    /// The Task state's `Resource` ARN (for `lambda:invoke`, the function's ARN).
    public var resource: String
    public var input: JSONValue
    public var stateName: String
    /// How many times the state has been retried so far (`$$.State.RetryCount`).
    public var retryCount: Int
    /// The task token, for `.waitForTaskToken` resources.
    public var taskToken: String?

    public init(resource: String, input: JSONValue, stateName: String, retryCount: Int, taskToken: String?) {
        self.resource = resource
        self.input = input
        self.stateName = stateName
        self.retryCount = retryCount
        self.taskToken = taskToken
    }
}

/// Completes an asynchronous task, once, from any thread. Later calls are ignored, as is a completion that arrives
/// after the task timed out (at-least-once: the state may already be running again).
///
/// For a Task with `HeartbeatSeconds`, call ``heartbeat()`` more often than that, or the state fails with
/// `States.HeartbeatTimeout`.
public struct TaskCompletion: Sendable {
    let deliver: @Sendable (TaskMessage) -> Void

    public func succeed(_ output: JSONValue) { deliver(.completed(.success(output))) }
    public func fail(_ failure: ExecutionFailure) { deliver(.completed(.failure(failure))) }
    /// Tells the state the task is alive (SendTaskHeartbeat).
    public func heartbeat() { deliver(.heartbeat) }
}

/// A Swift function bound to a Task resource.
public enum TaskHandler: Sendable {
    /// Returns the result, or throws an ``ExecutionFailure`` whose `error` is the error name the state sees.
    case synchronous(@Sendable (TaskInvocation) throws(ExecutionFailure) -> JSONValue)
    /// Completes later through the ``TaskCompletion``, from any thread; the execution parks meanwhile.
    case asynchronous(@Sendable (TaskInvocation, TaskCompletion) -> Void)
}

/// Binds Task resource ARNs, exactly or by pattern, to handlers.
///
/// A pattern may contain `*`, which matches any run of characters: `arn:aws:lambda:*:*:function:orders-*`.
/// Exact bindings win over patterns; patterns are tried in the order they were added.
/// Safe to use from any thread.
public final class TaskHandlerRegistry: Sendable {
    private struct Bindings {
        var exact: [String: TaskHandler] = [:]
        var patterns: [(pieces: [Substring], handler: TaskHandler)] = []
    }

    private let bindings = Locked(Bindings())

    public init() {}

    /// Binds `resource` (an exact ARN, or a pattern with `*`) to `handler`, replacing an earlier binding.
    public func register(_ resource: String, _ handler: TaskHandler) {
        bindings.withLock { bindings in
            if resource.contains("*") {
                let pieces = resource.split(separator: "*", omittingEmptySubsequences: false)
                bindings.patterns.removeAll { $0.pieces == pieces }
                bindings.patterns.append((pieces, handler))
            } else {
                bindings.exact[resource] = handler
            }
        }
    }

    /// Binds a synchronous handler.
    public func register(_ resource: String, _ body: @escaping @Sendable (TaskInvocation) throws(ExecutionFailure) -> JSONValue) {
        register(resource, .synchronous(body))
    }

    /// The handler for `arn`, if any.
    public func handler(for arn: String) -> TaskHandler? {
        bindings.withLock { bindings in
            if let handler = bindings.exact[arn] { return handler }
            return bindings.patterns.first { Self.matches(arn, $0.pieces) }?.handler
        }
    }

    static func matches(_ text: String, _ pieces: [Substring]) -> Bool {
        guard let first = pieces.first, text.hasPrefix(first) else { return false }
        var rest = text.dropFirst(first.count)
        for (position, piece) in pieces.enumerated().dropFirst() {
            if position == pieces.count - 1 { return piece.isEmpty || rest.hasSuffix(piece) }
            guard let range = rest.range(of: piece) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.isEmpty
    }
}
