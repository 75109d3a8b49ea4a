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

/// Where a run's timers go and how a parked run is woken: the calling thread (``CallerHost``) or the engine's
/// worker pool (``PoolHost``), which override every method.
///
/// A class rather than a protocol: a run's strands reach their host through the run's resources
/// (``RunResources/host``), and a method called on a host kept in a `let` of protocol type copied the reference
/// first, a retain and a release per call (per execution, for the wake-up that starts it).
class RunHost: @unchecked Sendable {
    /// Milliseconds since the epoch on this host's clock.
    func now() -> Int64 { preconditionFailure("every host overrides now()") }
    /// Calls `scheduler.deliver(action)` at `due` (milliseconds since the epoch), from any thread.
    func addTimer(due: Int64, for scheduler: RunScheduler, _ action: RunScheduler.TimerAction) {
        preconditionFailure("every host overrides addTimer(due:for:_:)")
    }
    /// Fires `ticket` at `due` (milliseconds since the epoch), from any thread, unless it was cancelled.
    func addTimer(due: Int64, ticket: TimerTicket) {
        preconditionFailure("every host overrides addTimer(due:ticket:)")
    }
    /// The run has new messages: make sure some thread drives it soon.
    func wake(_ scheduler: RunScheduler) { preconditionFailure("every host overrides wake(_:)") }
    /// How many strands (workers) a Map's or Parallel's children may spread over now; 1 keeps them on the
    /// owner's strand.
    var fanOutWidth: Int { preconditionFailure("every host overrides fanOutWidth") }
}

/// A strand: the unit the workers schedule. An execution starts with one (the root strand, which drives the
/// top-level graph and, by default, all its branches and iterations); a Map or Parallel may spread its children
/// over more strands so that other workers run them (``RunHost/fanOutWidth``). A strand has a ready
/// queue of graphs and an inbox for everything that arrives from elsewhere (handler completions and heartbeats,
/// timers, children finished on other strands, stop requests).
///
/// At most one thread drives a strand at a time, so the VM needs no locks; other threads only touch the locked
/// inbox. What strands of one run share is described on ``RunState``, which is the run's root strand itself (the
/// one subclass; nothing is overridden).
class RunScheduler: @unchecked Sendable {
    enum TimerAction {
        case resume(Execution)
        case taskTimeout(Execution, invocation: Int)
        /// Fires unless a heartbeat moved the execution's heartbeat generation on.
        case heartbeatTimeout(Execution, invocation: Int, generation: Int)
        case executionTimeout
    }

    enum Message {
        case task(Execution, invocation: Int, TaskMessage)
        case timer(TimerAction)
        case stop(error: String?, cause: String?)
        /// A branch or iteration to run on this strand.
        case start(Execution)
        /// A branch or iteration of a join owned here ended on another strand.
        case childFinished(Execution, Result<JSONValue, ExecutionFailure>)
    }

    /// The ready graphs, first in first out: the first in a slot of its own, so that a run with one graph (most
    /// of them) allocates no queue.
    @exclusivity(unchecked) private var readyFirst = SeldomReference<Execution>()
    @exclusivity(unchecked) private var ready: [Execution] = []
    @exclusivity(unchecked) private var readyHead = 0
    /// Messages from other threads, guarded by `inboxLocked`: a spin lock held for an append or a swap, inline in
    /// the strand, because a mutex would cost every execution two allocations (measured: 1.5 KB of memory per
    /// parked execution before, see issue notes). Atomic operations are visible to ThreadSanitizer.
    @exclusivity(unchecked) private var inbox: [Message] = []
    /// Asynchronous invocations not completed yet.
    @exclusivity(unchecked) var outstandingTasks = 0
    // The one-byte fields and the 32-bit one side by side, in one word (Swift lays a class's fields out in the
    // order they are written).
    private let inboxLocked = Atomic<Bool>(false)
    /// Whether a thread drives the run or has it queued (pool hosts); guards against driving it twice at once.
    let isScheduled = Atomic<Bool>(false)
    /// Set when a graph stepped aside for the inbox (``VM/checkIn(_:_:)``): the inbox is read before the next graph
    /// runs, even though graphs are ready.
    @exclusivity(unchecked) var readsInboxNext = false
    /// Whether anything this strand started may still send it a message that holds a graph: a timer it set, an
    /// asynchronous task, a child on another strand. Set by those, never cleared; until then the inbox of a strand
    /// whose run has ended need not be looked at (``runUntilIdle()``), which spares a short run a lock.
    @exclusivity(unchecked) var mayHaveMessages = false
    /// Jumps back in the program (a loop's turn) this strand may take before the VM looks at the clock, the run's
    /// outcome and the inbox (``VM/loopedBack(_:)``): a loop of states that never park would otherwise keep its
    /// worker forever, past the execution's timeout and deaf to StopExecution.
    @exclusivity(unchecked) var loopBudget = RunScheduler.loopBudget
    /// How many jumps back a strand takes between two looks (``loopBudget``).
    static let loopBudget: Int32 = 4096
    /// The run this strand belongs to, not retained; set once, before the first message. The root strand is the
    /// run itself (it must not retain itself); other strands retain it, through ``retainedRun``. Kept as an
    /// `Unmanaged` reference, read borrowed (``withRun(_:)``): an `unowned(unsafe)` optional was retained and
    /// released each time it was loaded, twice per turn of a drive.
    @exclusivity(unchecked) private var unretainedRun: Unmanaged<RunState>?
    private let retainedRun: SeldomReference<RunState>

    /// The run this strand belongs to.
    var run: RunState { unretainedRun.unsafelyUnwrapped.takeUnretainedValue() }

    /// Calls `body` with the run this strand belongs to, borrowed: no retain, no release.
    @inline(__always)
    func withRun<Result>(_ body: (RunState) throws -> Result) rethrows -> Result {
        try unretainedRun.unsafelyUnwrapped._withUnsafeGuaranteedRef(body)
    }

    /// A run's root strand: called by ``RunState``'s initializer, which then names itself the run
    /// (``belong(to:)``).
    init() {
        retainedRun = SeldomReference()
    }

    /// Another strand of the run `parent` belongs to.
    init(childOf parent: RunScheduler) {
        let run = parent.run
        retainedRun = SeldomReference(run)
        unretainedRun = Unmanaged.passUnretained(run)
        mayHaveMessages = true  // its graphs arrive as messages
    }

    /// Sets the run of a root strand, which is the run itself.
    func belong(to run: RunState) {
        unretainedRun = Unmanaged.passUnretained(run)
    }

    /// Whether this is the run's root strand, which drives the top-level graph and reports the outcome.
    var isRoot: Bool { retainedRun.isNil }

    // The host of the run's strands is its resources' (``RunResources/host``), read borrowed.

    func now() -> Int64 { withRun { $0.resources.withHost { $0.now() } } }

    /// Makes sure some thread drives this strand soon (its host's ``RunHost/wake(_:)``).
    func wake() {
        withRun { $0.resources.withHost { $0.wake(self) } }
    }

    /// Queues a graph to run; `execution` is taken over (a borrowed one was retained to be stored and released
    /// by the caller).
    func enqueue(_ execution: consuming Execution) {
        if readyFirst.isNil && readyHead == ready.count {
            readyFirst.replace(with: consume execution)
        } else {
            ready.append(consume execution)
        }
    }

    private func dequeue() -> Execution? {
        if let first = readyFirst.take() { return first }
        guard readyHead < ready.count else { return nil }
        let execution = ready[readyHead]
        readyHead += 1
        if readyHead == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyHead = 0
        }
        return execution
    }

    private func withInbox<Result>(_ body: (inout [Message]) -> Result) -> Result {
        var spins = 0
        while inboxLocked.exchange(true, ordering: .acquiring) {
            spins += 1
            if spins > 64 { sched_yield() }
        }
        defer { inboxLocked.store(false, ordering: .releasing) }
        return body(&inbox)
    }

    /// Takes every message out of the inbox, leaving it empty.
    private func takeInbox() -> [Message] {
        withInbox { inbox in
            defer { inbox = [] }
            return inbox
        }
    }

    func schedule(after milliseconds: Int64, _ action: TimerAction) {
        mayHaveMessages = true
        withRun { $0.resources.withHost { $0.addTimer(due: now() + max(0, milliseconds), for: self, action) } }
    }

    /// ``schedule(after:_:)`` for a timer that may become moot before it fires: the caller keeps the ticket and
    /// cancels it then, so that the timer no longer holds this strand and the action's graph (see ``TimerTicket``).
    func scheduleCancelable(after milliseconds: Int64, _ action: TimerAction) -> TimerTicket {
        mayHaveMessages = true
        let ticket = TimerTicket(self, action)
        withRun { $0.resources.withHost { $0.addTimer(due: now() + max(0, milliseconds), ticket: ticket) } }
        return ticket
    }

    /// Posts a message for the run; safe from any thread.
    ///
    /// A run that has ended is not driven again (its root strand stays marked scheduled), so a message that
    /// arrives after its end is dropped: here, when the end is seen after the append, or by the drive that saw the
    /// end (``discardWork()``), which takes the inbox under the same lock. Whichever comes second finds it.
    func post(_ message: Message) {
        withInbox { $0.append(message) }
        if withRun({ $0.hasEnded }) {
            _ = takeInbox()  // released here, outside the inbox's lock
            return
        }
        wake()
    }

    /// Called by the host when a timer is due; safe from any thread.
    func deliver(_ action: TimerAction) {
        post(.timer(action))
    }

    var hasMessages: Bool { withInbox { !$0.isEmpty } }

    /// Runs ready graphs and handles messages until there is nothing left to do now.
    func runUntilIdle() {
        // The run outlives this call (the root strand's run holds it; another strand retains it): borrowed, it is
        // read without a retain and a release per turn of the loop.
        let ended = withRun { run in
            while !run.hasEnded {
                if let execution = dequeue() {
                    VM.run(execution)
                    if readsInboxNext {
                        readsInboxNext = false
                        handleMessages()
                    }
                    continue
                }
                if !handleMessages() { return false }
            }
            return true
        }
        if ended && mayHaveMessages { discardWork() }
    }

    /// Drops what the strand of a run that has ended still holds: graphs queued to run and messages (a task's
    /// completion or a timer that arrived before the end was seen). Kept, each would hold the run through its
    /// graph, and the run would hold it in turn: a cycle, so neither the run nor anything it holds would ever be
    /// freed. The caller holds the strand, so dropping the last graph that holds the run frees nothing in use.
    /// Only a strand that ``mayHaveMessages`` looks (a message that arrives later is dropped by ``post(_:)``).
    private func discardWork() {
        let messages = takeInbox()
        if !readyFirst.isNil { readyFirst.replace(with: nil) }
        if !ready.isEmpty {
            ready.removeAll()
            readyHead = 0
        }
        _ = messages  // released here, outside the inbox's lock
    }

    /// Handles the messages in the inbox; returns whether there were any.
    @discardableResult
    private func handleMessages() -> Bool {
        let messages = takeInbox()
        for message in messages { handle(message) }
        return !messages.isEmpty
    }

    private func handle(_ message: Message) {
        switch message {
        case .task(let execution, let invocation, .completed(let outcome)):
            outstandingTasks -= 1
            VM.complete(execution, invocation: invocation, outcome)
        case .task(let execution, let invocation, .heartbeat):
            VM.heartbeat(execution, invocation: invocation)
        case .timer(.resume(let execution)):
            enqueue(execution)
        case .timer(.taskTimeout(let execution, let invocation)):
            VM.complete(execution, invocation: invocation, .failure(ExecutionFailure(error: "States.Timeout", cause: nil)))
        case .timer(.heartbeatTimeout(let execution, let invocation, let generation)):
            guard execution.heartbeatGeneration == generation else { return }
            VM.complete(execution, invocation: invocation, .failure(ExecutionFailure(error: "States.HeartbeatTimeout", cause: nil)))
        case .timer(.executionTimeout):
            VM.timeOut(run)
        case .stop(let error, let cause):
            VM.abort(run, error: error, cause: cause)
        case .start(let execution):
            enqueue(execution)
        case .childFinished(let child, let outcome):
            VM.childFinished(child, join: child.parent!, outcome)
        }
    }

    static func wallClockMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// The wall clock in nanoseconds since the epoch.
    static func wallClockNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

/// Runs one execution on the thread that calls ``drive(_:)``: timers in a local list, on the real clock or on a
/// virtual one that jumps to the next timer whenever nothing can run.
final class CallerHost: RunHost, @unchecked Sendable {
    private struct Timer {
        var due: Int64
        var sequence: Int
        var target: Target
    }

    private enum Target {
        case action(RunScheduler.TimerAction)
        case ticket(TimerTicket)
    }

    let mode: ClockMode
    private let lock = Lock()
    private var timers: [Timer] = []
    private var sequence = 0
    private var virtualNow: Int64
    private let signal = DispatchSemaphore(value: 0)

    init(mode: ClockMode) {
        self.mode = mode
        virtualNow = RunScheduler.wallClockMilliseconds()
        super.init()
    }

    override func now() -> Int64 {
        mode == .virtual ? lock.withLock { virtualNow } : RunScheduler.wallClockMilliseconds()
    }

    override func addTimer(due: Int64, for scheduler: RunScheduler, _ action: RunScheduler.TimerAction) {
        add(due: due, .action(action))
    }

    override func addTimer(due: Int64, ticket: TimerTicket) {
        add(due: due, .ticket(ticket))
    }

    private func add(due: Int64, _ target: Target) {
        lock.withLock {
            sequence += 1
            let timer = Timer(due: due, sequence: sequence, target: target)
            let position = timers.firstIndex { ($0.due, $0.sequence) > (timer.due, timer.sequence) } ?? timers.count
            timers.insert(timer, at: position)
        }
    }

    override func wake(_ scheduler: RunScheduler) {
        signal.signal()
    }

    /// One thread: children stay on the run's strand.
    override var fanOutWidth: Int { 1 }

    /// Drives the run until it has a result. Timers still pending then (a task's heartbeat or timeout) are
    /// dropped: each holds the run through its graph, and the run holds this host, a cycle that kept both alive.
    func drive(_ scheduler: RunScheduler) {
        let run = scheduler.run
        defer {
            let dropped = lock.withLock {
                defer { timers = [] }
                return timers
            }
            _ = dropped  // released outside the lock
        }
        while !run.hasEnded {
            scheduler.runUntilIdle()
            guard !run.hasEnded else { return }
            if scheduler.hasMessages { continue }
            let next: Timer? = lock.withLock { timers.first }
            if let next, mode == .virtual || next.due <= now() {
                lock.withLock {
                    timers.removeFirst()
                    if mode == .virtual { virtualNow = max(virtualNow, next.due) }
                }
                switch next.target {
                case .action(let action): scheduler.deliver(action)
                case .ticket(let ticket): ticket.fire()
                }
                continue
            }
            if let next {
                let wait = next.due - now()
                if wait > 0 { _ = signal.wait(timeout: .now() + .milliseconds(Int(min(wait, 1000)))) }
            } else if scheduler.outstandingTasks > 0 {
                signal.wait()
            } else {
                preconditionFailure("an execution is parked with nothing to wake it")
            }
        }
    }
}
