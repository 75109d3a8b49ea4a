import QuickstepJSON
import QuickstepLanguage
import Synchronization

/// The outcome of an execution, as `DescribeExecution` / `StartSyncExecution` report it.
public struct ExecutionResult: Sendable {
    public enum Status: String, Sendable {
        case succeeded = "SUCCEEDED"
        case failed = "FAILED"
        case timedOut = "TIMED_OUT"
        case aborted = "ABORTED"
    }

    public var status: Status
    public var output: JSONValue?
    public var error: String?
    public var cause: String?
    /// The `GetExecutionHistory` events, when history was recorded.
    public var history: [JSONValue]

    public init(status: Status, output: JSONValue?, error: String?, cause: String?, history: [JSONValue]) {
        self.status = status
        self.output = output
        self.error = error
        self.cause = cause
        self.history = history
    }
}

/// One running graph: the whole execution, or one Parallel branch run, or one Map iteration.
///
/// The VM runs it until it ends or parks (Wait, an asynchronous task, a retry interval, a Map or Parallel join);
/// everything it needs to resume is here, so nothing waits on the stack.
final class Execution {
    let run: RunState
    /// The strand that drives this graph: the run's root strand, or one of a Map's or Parallel's strands on
    /// another worker. Everything that resumes the graph (timers, completions) goes through it.
    let scheduler: RunScheduler
    var pc: Int
    /// The current state's input as it arrived.
    var rawInput: JSONValue = .null
    /// The data being processed: effective input, then result, then output.
    var value: JSONValue
    var variables: VariableScope
    /// The index of the current state in the program, or -1 before the first.
    var state = -1
    var stateEnteredEventId = 0
    var stateEnteredTime: Int64 = 0
    var lastEventId = 0
    var chosenPC = 0
    /// What only retrying states, tasks and Map item selectors use; allocated the first time one of them sets it,
    /// so an execution of Pass, Choice and Wait states (or one parked in a Wait) carries 8 bytes instead of ~130.
    private var extras: Extras?

    private final class Extras {
        var retryAttempts: [Int] = []
        var retryCount = 0
        var taskToken: String?
        var pendingTask = 0
        var heartbeatGeneration = 0
        var heartbeatSeconds: Int?
        var mapItem: (index: Int, value: JSONValue)?
        var pendingFailure: ExecutionFailure?
        var invocationCounter = 0
    }

    /// Whether any of the rarely used fields was ever set (so they may need resetting).
    var hasExtras: Bool { extras != nil }

    private var ensuredExtras: Extras {
        if let extras { return extras }
        let made = Extras()
        extras = made
        return made
    }

    /// Attempts made so far under each retrier of the current state.
    var retryAttempts: [Int] {
        get { extras?.retryAttempts ?? [] }
        set { if extras != nil || !newValue.isEmpty { ensuredExtras.retryAttempts = newValue } }
    }
    var retryCount: Int {
        get { extras?.retryCount ?? 0 }
        set { if extras != nil || newValue != 0 { ensuredExtras.retryCount = newValue } }
    }
    var taskToken: String? {
        get { extras?.taskToken }
        set { if extras != nil || newValue != nil { ensuredExtras.taskToken = newValue } }
    }
    /// The invocation the execution is parked on; a completion for any other is stale and dropped.
    var pendingTask: Int {
        get { extras?.pendingTask ?? 0 }
        set { if extras != nil || newValue != 0 { ensuredExtras.pendingTask = newValue } }
    }
    /// Bumped by each heartbeat, so the heartbeat timer set before it is ignored.
    var heartbeatGeneration: Int {
        get { extras?.heartbeatGeneration ?? 0 }
        set { if extras != nil || newValue != 0 { ensuredExtras.heartbeatGeneration = newValue } }
    }
    /// The current task's `HeartbeatSeconds`.
    var heartbeatSeconds: Int? {
        get { extras?.heartbeatSeconds }
        set { if extras != nil || newValue != nil { ensuredExtras.heartbeatSeconds = newValue } }
    }
    /// Set while an ItemSelector is evaluated for one item.
    var mapItem: (index: Int, value: JSONValue)? {
        get { extras?.mapItem }
        set { if extras != nil || newValue != nil { ensuredExtras.mapItem = newValue } }
    }
    /// A failure to handle when the execution runs next (a failed task or child delivered while it was parked).
    var pendingFailure: ExecutionFailure? {
        get { extras?.pendingFailure }
        set { if extras != nil || newValue != nil { ensuredExtras.pendingFailure = newValue } }
    }
    /// Numbers this graph's asynchronous invocations, so a late completion is recognised as stale.
    var invocationCounter: Int {
        get { extras?.invocationCounter ?? 0 }
        set { if extras != nil || newValue != 0 { ensuredExtras.invocationCounter = newValue } }
    }
    /// Variables assigned by the current state, stored when it exits.
    var pendingAssignments: [JSONObject] = []
    let parent: Join?
    let childIndex: Int
    var finished = false
    /// States entered by this branch or iteration (its own children included once they finished); added to the
    /// owner's count when it finishes. The top-level graph counts in ``RunState/transitions``.
    var transitions = 0

    init(run: RunState, scheduler: RunScheduler, pc: Int, input: JSONValue, variables: VariableScope, parent: Join?, childIndex: Int) {
        self.run = run
        self.scheduler = scheduler
        self.pc = pc
        value = input
        self.variables = variables
        self.parent = parent
        self.childIndex = childIndex
    }

    /// Whether the work is moot: the whole run ended, or a sibling's failure cancelled the join.
    var isCancelled: Bool {
        run.hasEnded || (parent.map { $0.isCancelled || $0.owner.isCancelled } ?? false)
    }

    var stateName: String { state >= 0 ? run.program.tables.states[state].name : "" }

    /// `$$` for the current state.
    func contextValue() -> JSONValue {
        // AWS shows State.RetryCount only in states that can retry (conformance: a Pass's $$.State has none).
        let canRetry = state >= 0 && run.program.stateFacts[state].canRetry
        return ContextObject.value(identity: run.identity, stateName: stateName, enteredTime: stateEnteredTime,
                                   retryCount: canRetry ? retryCount : nil, taskToken: taskToken, mapItem: mapItem)
    }

    /// AWS's prefix for causes of errors raised while a state runs.
    func causePrefix() -> String {
        "An error occurred while executing the state '\(stateName)' (entered at the event id #\(stateEnteredEventId)). "
    }

    /// Records an event and returns its id. The type and details are only built when events are kept: with
    /// history off this is one increment (the ids still count, for AWS's error causes).
    @discardableResult
    func record(_ type: @autoclosure () -> String, _ details: @autoclosure () -> (key: String, value: JSONObject)? = nil) -> Int {
        let history = run.history
        let id: Int
        if history.keepsEvents {
            id = history.record(type(), previous: lastEventId, details: details())
        } else {
            id = history.skip()
        }
        lastEventId = id
        return id
    }
}

/// The children of a Map or Parallel state and their results, in order. The children hold the join, and the join
/// holds its owner, so a parked owner stays alive exactly as long as some child can still finish it.
final class Join {
    /// The Map or Parallel execution waiting for the children; the children keep it (and the join) alive.
    let owner: Execution
    var results: [JSONValue?]
    var remaining: Int
    /// Set by the owner's strand when a child's failure ends the join; read by children on other strands.
    private let cancelled = Atomic<Bool>(false)
    var isCancelled: Bool {
        get { cancelled.load(ordering: .acquiring) }
        set { cancelled.store(newValue, ordering: .releasing) }
    }
    /// The strands the children are spread over; the first is the owner's. More than one only on a worker pool
    /// with workers to spare (``RunHost/fanOutWidth``).
    var strands: [RunScheduler] = []
    /// Children not started yet (Map with MaxConcurrency), in order.
    var waiting: [Execution] = []
    var running = 0
    let maxConcurrency: Int
    let isMap: Bool
    var failures = 0
    let toleratedCount: Int?
    let toleratedPercentage: Double?

    init(owner: Execution, count: Int, maxConcurrency: Int, isMap: Bool, toleratedCount: Int?, toleratedPercentage: Double?) {
        self.owner = owner
        results = Array(repeating: nil, count: count)
        remaining = count
        self.maxConcurrency = maxConcurrency
        self.isMap = isMap
        self.toleratedCount = toleratedCount
        self.toleratedPercentage = toleratedPercentage
    }
}

/// What every graph of one execution shares: the program, the handlers, the history, the clock, the outcome.
///
/// Thread safety: the outcome and the top-level transition count are written only by the root strand. Once the
/// run's children spread over several strands (``markSpread()``, called before the second strand exists), the
/// history and the mock attempts are guarded by ``sharedLock``.
final class RunState {
    let program: Program
    let identity: ExecutionIdentity
    let handlers: TaskHandlerRegistry
    let history: History
    /// The root strand (the top-level graph's).
    let scheduler: RunScheduler
    /// The outcome; written once, by the root strand. Boxed: a running execution pays 8 bytes for it, not 72.
    var result: ExecutionResult? {
        get { resultBox?.result }
        set {
            resultBox = newValue.map(ResultBox.init)
            if newValue != nil { ended.store(true, ordering: .releasing) }
        }
    }
    private final class ResultBox {
        let result: ExecutionResult
        init(_ result: ExecutionResult) { self.result = result }
    }
    private var resultBox: ResultBox?
    private let ended = Atomic<Bool>(false)
    /// Whether the outcome is known; safe from any strand.
    var hasEnded: Bool { ended.load(ordering: .acquiring) }
    /// Guards the history and the mock attempts once the run spans several strands.
    private(set) var sharedLock: Lock?
    var mocks: MockPlan?
    /// Engine runs: where callback tasks' tokens are opened, for Engine.sendTaskSuccess and friends.
    var tokenBook: TaskTokenBook?
    /// When the execution times out (engine runs; milliseconds since the epoch).
    var deadline: Int64?
    /// States entered so far, branches and iterations included (theirs are added as they finish).
    var transitions = 0
    /// Engine runs: called once with the outcome.
    var onCompletion: (@Sendable (ExecutionResult) -> Void)?
    var reported = false
    /// Whether a successful execution keeps its events (history level `all`).
    var keepsHistoryOnSuccess = true
    /// How many times each mocked state has invoked its task, by ``MockPlan`` slot (empty until the first).
    var mockAttempts: [Int] = []

    /// Whether states record when they were entered (for `$$.State.EnteredTime` and history timestamps).
    let needsStateTimes: Bool

    init(program: Program, identity: ExecutionIdentity, handlers: TaskHandlerRegistry, history: History, scheduler: RunScheduler) {
        needsStateTimes = program.readsContextObject || history.keepsEvents
        self.program = program
        self.identity = identity
        self.handlers = handlers
        self.history = history
        self.scheduler = scheduler
    }

    /// Called before a run's children first go to a second strand: from then on the shared parts are locked.
    func markSpread() {
        guard sharedLock == nil else { return }
        let lock = Lock()
        sharedLock = lock
        history.lock = lock
    }

    /// Runs `body` under the shared lock when the run spans several strands.
    func withShared<Result>(_ body: () -> Result) -> Result {
        guard let sharedLock else { return body() }
        return sharedLock.withLock { body() }
    }
}
