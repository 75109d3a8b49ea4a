import DequeModule

/// The open task tokens of an engine's callback tasks (`.waitForTaskToken`), so that SendTaskSuccess,
/// SendTaskFailure and SendTaskHeartbeat can reach the waiting execution from any thread; and the most recently
/// timed-out tokens, to answer `TaskTimedOut` for them as AWS does.
final class TaskTokenBook: Sendable {
    private struct State {
        var open: [String: TaskCompletion] = [:]
        var timedOut: Set<String> = []
        var timedOutOrder: Deque<String> = []
    }

    /// How many timed-out tokens are remembered.
    static let timedOutMemory = 10_000
    private let state = Locked(State())

    func open(_ token: String, _ completion: TaskCompletion) {
        state.withLock { $0.open[token] = completion }
    }

    func close(_ token: String, timedOut: Bool) {
        state.withLock { state in
            guard state.open.removeValue(forKey: token) != nil, timedOut else { return }
            state.timedOut.insert(token)
            state.timedOutOrder.append(token)
            if state.timedOutOrder.count > Self.timedOutMemory, let oldest = state.timedOutOrder.popFirst() {
                state.timedOut.remove(oldest)
            }
        }
    }

    /// The completion for an open token.
    ///
    /// - Throws: `TaskTimedOut` for a token that timed out recently, `TaskDoesNotExist` otherwise.
    func completion(for token: String) throws(EngineError) -> TaskCompletion {
        let (completion, timedOut) = state.withLock { state in (state.open[token], state.timedOut.contains(token)) }
        if let completion { return completion }
        if timedOut { throw EngineError(code: "TaskTimedOut", message: "Task Timed Out: '\(token)'") }
        throw EngineError(code: "TaskDoesNotExist", message: "Task Does Not Exist: '\(token)'")
    }
}
