import QuickstepJSON
import Synchronization

/// Running executions by ARN, and a fixed-capacity ring of the most recently finished ones, so that describe,
/// list and history work while memory stays flat however many executions run.
final class ExecutionRegistry: Sendable {
    private struct Finished {
        var description: ExecutionDescription
        var history: [JSONValue]
    }

    private struct State {
        var running: [String: UncheckedBox<RunState>] = [:]
        var ring: [Finished?]
        var next = 0
        var positions: [String: Int] = [:]
    }

    private let state: Locked<State>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        state = Locked(State(ring: Array(repeating: nil, count: max(1, capacity))))
    }

    func add(_ run: RunState) {
        let box = UncheckedBox(run)
        state.withLock { $0.running[run.identity.executionArn] = box }
    }

    /// Posts an execution timeout to every running execution past its deadline.
    func timeOutOverdue(now: Int64) {
        let overdue = state.withLock { state in
            state.running.values.filter { ($0.value.deadline ?? .max) <= now }
        }
        for run in overdue { run.value.scheduler.deliver(.executionTimeout) }
    }

    func running(_ arn: String) -> RunState? {
        state.withLock { $0.running[arn]?.value }
    }

    func finish(_ run: RunState, _ result: ExecutionResult) {
        let description = Self.describe(run, result: result)
        let history = result.status == .succeeded && !run.keepsHistoryOnSuccess ? [] : result.history
        state.withLock { state in
            state.running[description.executionArn] = nil
            if let evicted = state.ring[state.next] { state.positions[evicted.description.executionArn] = nil }
            state.ring[state.next] = Finished(description: description, history: history)
            state.positions[description.executionArn] = state.next
            state.next = (state.next + 1) % capacity
        }
    }

    func describe(_ arn: String) -> ExecutionDescription? {
        state.withLock { state in
            if let run = state.running[arn]?.value { return Self.describe(run, result: nil) }
            return state.positions[arn].flatMap { state.ring[$0]?.description }
        }
    }

    func history(_ arn: String) -> [JSONValue]? {
        state.withLock { state in state.positions[arn].flatMap { state.ring[$0]?.history } }
    }

    func list() -> [ExecutionDescription] {
        state.withLock { state in
            let running = state.running.values.map { Self.describe($0.value, result: nil) }
            var finished: [ExecutionDescription] = []
            for offset in 1...capacity {
                if let entry = state.ring[(state.next - offset + capacity) % capacity] { finished.append(entry.description) }
            }
            return running.sorted { $0.startDate > $1.startDate } + finished
        }
    }

    /// Reading a running execution's fields from another thread is racy, so a running execution is described from
    /// its immutable identity only.
    private static func describe(_ run: RunState, result: ExecutionResult?) -> ExecutionDescription {
        let status: ExecutionDescription.Status
        switch result?.status {
        case nil: status = .running
        case .succeeded?: status = .succeeded
        case .failed?: status = .failed
        case .timedOut?: status = .timedOut
        case .aborted?: status = .aborted
        }
        return ExecutionDescription(
            executionArn: run.identity.executionArn, stateMachineName: run.identity.stateMachineName,
            name: run.identity.executionName, status: status, startDate: run.identity.startTime,
            stopDate: result == nil ? nil : RunScheduler.wallClockMilliseconds(), input: run.identity.input,
            output: result?.output, error: result?.error, cause: result?.cause)
    }
}
