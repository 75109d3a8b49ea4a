import Dispatch
import QuickstepJSON
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an asynchronous handler sends back: its outcome, or a heartbeat.
enum TaskMessage: Sendable {
    case completed(Result<JSONValue, ExecutionFailure>)
    case heartbeat
}

/// How time passes for an execution.
public enum ClockMode: Sendable {
    /// Wall-clock time: a Wait of 5 seconds takes 5 seconds.
    case real
    /// Virtual time: whenever nothing can run, the clock jumps to the next timer, so Waits, retry intervals and
    /// timeouts take no real time. Asynchronous handlers that have not completed by then count as slower than any
    /// pending timer. Runs are deterministic.
    case virtual
}

/// Runs the graphs of one execution on the calling thread: a ready queue, timers (Wait, retry back-off, task and
/// execution timeouts), and an inbox for completions of asynchronous handlers arriving from other threads.
///
/// The scheduler issue replaces it with the worker pool; the VM does not change, because an execution that cannot
/// go on parks instead of blocking.
///
/// Thread safety: only ``post(_:invocation:_:)`` may be called from other threads (it touches nothing but the
/// locked inbox and a semaphore); everything else runs on the thread that called ``drive(_:)``.
final class LocalScheduler: @unchecked Sendable {
    enum TimerAction {
        case resume(Execution)
        case taskTimeout(Execution, invocation: Int)
        /// Fires unless a heartbeat moved the execution's heartbeat generation on.
        case heartbeatTimeout(Execution, invocation: Int, generation: Int)
        case executionTimeout(RunState)
    }

    private struct Timer {
        var due: Int64
        var sequence: Int
        var action: TimerAction
    }

    let mode: ClockMode
    private var ready: [Execution] = []
    private var readyHead = 0
    private var timers: [Timer] = []
    private var timerSequence = 0
    private var virtualNow: Int64
    /// Completions delivered by other threads: (execution, invocation id, outcome).
    private let inbox = Mutex<[(UncheckedBox<Execution>, Int, TaskMessage)]>([])
    private let inboxSignal = DispatchSemaphore(value: 0)
    /// Asynchronous invocations not completed yet.
    var outstandingTasks = 0

    init(mode: ClockMode) {
        self.mode = mode
        virtualNow = Self.wallClockMilliseconds()
    }

    /// Milliseconds since the epoch, on this scheduler's clock.
    func now() -> Int64 {
        mode == .virtual ? virtualNow : Self.wallClockMilliseconds()
    }

    static func wallClockMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    func enqueue(_ execution: Execution) {
        ready.append(execution)
    }

    func schedule(after milliseconds: Int64, _ action: TimerAction) {
        timerSequence += 1
        let timer = Timer(due: now() + max(0, milliseconds), sequence: timerSequence, action: action)
        let position = timers.firstIndex { ($0.due, $0.sequence) > (timer.due, timer.sequence) } ?? timers.count
        timers.insert(timer, at: position)
    }

    /// Posts an asynchronous completion; safe from any thread.
    func post(_ execution: Execution, invocation: Int, _ message: TaskMessage) {
        let box = UncheckedBox(execution)
        inbox.withLock { $0.append((box, invocation, message)) }
        inboxSignal.signal()
    }

    /// Runs until `run` has a result.
    func drive(_ run: RunState) {
        while run.result == nil {
            if readyHead < ready.count {
                let execution = ready[readyHead]
                readyHead += 1
                if readyHead > 1024 && readyHead * 2 > ready.count {
                    ready.removeFirst(readyHead)
                    readyHead = 0
                }
                VM.run(execution)
                continue
            }
            if drainInbox() { continue }
            if let first = timers.first, mode == .virtual || first.due <= now() {
                if mode == .virtual { virtualNow = max(virtualNow, first.due) }
                timers.removeFirst()
                fire(first.action)
                continue
            }
            // Nothing to do: wait for a completion, or for the next timer on the wall clock.
            if let first = timers.first {
                let wait = first.due - now()
                if wait > 0 { _ = inboxSignal.wait(timeout: .now() + .milliseconds(Int(min(wait, 1000)))) }
            } else if outstandingTasks > 0 {
                inboxSignal.wait()
            } else {
                preconditionFailure("an execution is parked with nothing to wake it")
            }
        }
    }

    private func drainInbox() -> Bool {
        let completions = inbox.withLock { inbox in
            defer { inbox.removeAll() }
            return inbox
        }
        for (box, invocation, message) in completions {
            switch message {
            case .completed(let outcome):
                outstandingTasks -= 1
                VM.complete(box.value, invocation: invocation, outcome)
            case .heartbeat:
                VM.heartbeat(box.value, invocation: invocation)
            }
        }
        return !completions.isEmpty
    }

    private func fire(_ action: TimerAction) {
        switch action {
        case .resume(let execution):
            enqueue(execution)
        case .taskTimeout(let execution, let invocation):
            VM.complete(execution, invocation: invocation, .failure(ExecutionFailure(error: "States.Timeout", cause: nil)))
        case .heartbeatTimeout(let execution, let invocation, let generation):
            guard execution.heartbeatGeneration == generation else { return }
            VM.complete(execution, invocation: invocation,
                        .failure(ExecutionFailure(error: "States.HeartbeatTimeout", cause: nil)))
        case .executionTimeout(let run):
            VM.timeOut(run)
        }
    }
}
