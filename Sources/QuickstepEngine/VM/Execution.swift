import CQuickstepReferences
import QuickstepJSON
import QuickstepLanguage

/// The outcome of an execution, as `DescribeExecution` / `StartSyncExecution` report it.
///
/// What most outcomes lack (an error, a cause, events) is kept behind one reference, nil when there is none: as
/// five stored fields, every outcome handed to a completion callback was built, copied field by field through
/// value witnesses and destroyed again (300 instructions per execution, callgrind); as three, it is passed as it
/// is built.
public struct ExecutionResult: Sendable {
    public enum Status: String, Sendable {
        case succeeded = "SUCCEEDED"
        case failed = "FAILED"
        case timedOut = "TIMED_OUT"
        case aborted = "ABORTED"
    }

    public var status: Status
    public var output: JSONValue?
    private var details: Details?
    /// When the execution started and when it stopped, in nanoseconds since the epoch, on the run's clock (virtual
    /// time for a ``ClockMode/virtual`` run); 0 in a result built by hand. AWS's `startDate` and `stopDate` (a
    /// StartSyncExecution response's) are these to the millisecond: ``startDate``, ``stopDate``.
    public var startNanoseconds: Int64
    public var stopNanoseconds: Int64
    /// When the execution started, in milliseconds since the epoch.
    public var startDate: Int64 { startNanoseconds / 1_000_000 }
    /// When the execution stopped, in milliseconds since the epoch.
    public var stopDate: Int64 { stopNanoseconds / 1_000_000 }

    /// The error, cause and events of an outcome that has any; immutable, replaced when one of them is set.
    private final class Details: Sendable {
        let error: String?
        let cause: String?
        let history: [JSONValue]

        init(error: String?, cause: String?, history: [JSONValue]) {
            self.error = error
            self.cause = cause
            self.history = history
        }
    }

    public var error: String? {
        get { details?.error }
        set { setDetails(error: newValue, cause: cause, history: history) }
    }
    public var cause: String? {
        get { details?.cause }
        set { setDetails(error: error, cause: newValue, history: history) }
    }
    /// The `GetExecutionHistory` events, when history was recorded.
    public var history: [JSONValue] {
        get { details?.history ?? [] }
        set { setDetails(error: error, cause: cause, history: newValue) }
    }

    public init(status: Status, output: JSONValue?, error: String?, cause: String?, history: [JSONValue],
                startNanoseconds: Int64 = 0, stopNanoseconds: Int64 = 0) {
        self.status = status
        self.output = output
        self.startNanoseconds = startNanoseconds
        self.stopNanoseconds = stopNanoseconds
        setDetails(error: error, cause: cause, history: history)
    }

    private mutating func setDetails(error: String?, cause: String?, history: [JSONValue]) {
        details = error == nil && cause == nil && history.isEmpty ? nil : Details(error: error, cause: cause, history: history)
    }
}

/// One running graph: the whole execution, or one Parallel branch run, or one Map iteration.
///
/// The VM runs it until it ends or parks (Wait, an asynchronous task, a retry interval, a Map or Parallel join);
/// everything it needs to resume is here, so nothing waits on the stack.
///
/// Its stored properties (and those of ``Join``, ``RunState``, ``RunScheduler``, ``History`` and
/// ``VariableScope``) are `@exclusivity(unchecked)`: Swift's run-time exclusivity checks (a thread-local access
/// set consulted on every class property access it cannot prove safe) were 13 % of map_100x3's time. One thread
/// drives a strand at a time and the VM never holds two accesses to one property at once. The price: a conflicting
/// access would go unnoticed instead of trapping.
final class Execution {
    let run: RunState
    /// The strand that drives this graph (``scheduler``): the run's root strand, which is the run itself, or one of
    /// a Map's or Parallel's strands on another worker. Everything that resumes the graph (timers, completions) goes
    /// through it.
    ///
    /// Held once: a graph on the root strand holds the run already (``run``), so the strand is kept unretained and
    /// only another strand is held (``otherStrand``). Two references to one object were two atomic increments and
    /// two decrements per execution. Hot paths read it borrowed (``withScheduler(_:)``).
    private let unmanagedScheduler: Unmanaged<RunScheduler>
    /// The strand, when it is not the run's root strand; nil otherwise. (This and the other fields that are nil in
    /// most graphs are ``SeldomReference``s: destroyed, a nil one costs a test, not a call.)
    private let otherStrand: SeldomReference<RunScheduler>

    /// The strand that drives this graph, as a reference of the caller's own.
    var scheduler: RunScheduler { unmanagedScheduler.takeUnretainedValue() }

    /// Calls `body` with the strand that drives this graph, borrowed: no retain, no release.
    @inline(__always)
    func withScheduler<Result>(_ body: (RunScheduler) throws -> Result) rethrows -> Result {
        try unmanagedScheduler._withUnsafeGuaranteedRef(body)
    }

    /// Whether this graph and `other` are driven by the same strand.
    @inline(__always)
    func isOnStrand(of other: Execution) -> Bool {
        unmanagedScheduler.toOpaque() == other.unmanagedScheduler.toOpaque()
    }
    @exclusivity(unchecked) var pc: Int
    /// The current state's input as it arrived.
    @exclusivity(unchecked) var rawInput: JSONValue = .null
    /// The data being processed: effective input, then result, then output.
    @exclusivity(unchecked) var value: JSONValue

    /// Hands the effective input over to a step that replaces it, leaving `null`: the step reads it without a
    /// copy (passing `value` itself to a call retained it for the call and released it after, a pair of atomic
    /// operations on every InputPath, Parameters and ResultPath). The step puts a value back, even when it fails.
    @inline(__always)
    func takeValue() -> JSONValue {
        var taken = JSONValue.null
        swap(&taken, &value)
        return taken
    }

    /// ``takeValue()`` for the raw input.
    @inline(__always)
    func takeRawInput() -> JSONValue {
        var taken = JSONValue.null
        swap(&taken, &rawInput)
        return taken
    }
    /// This graph's own variables, made by its first assignment: most graphs (a Map's iterations above all)
    /// assign none, and each scope was an allocation. Until then lookups go to the enclosing scope.
    @exclusivity(unchecked) private var ownScope = SeldomReference<VariableScope>()
    /// The scope the graph was started in (the forking graph's, as it was then); nil at the top level.
    private let enclosingScopeReference: SeldomReference<VariableScope>
    var enclosingScope: VariableScope? { enclosingScopeReference.object }
    /// Where variable lookups start.
    var variables: VariableScope? { ownScope.object ?? enclosingScopeReference.object }
    /// The index of the current state in the program, or -1 before the first.
    @exclusivity(unchecked) var state = -1
    @exclusivity(unchecked) var stateEnteredEventId = 0
    @exclusivity(unchecked) var stateEnteredTime: Int64 = 0
    @exclusivity(unchecked) var lastEventId = 0
    @exclusivity(unchecked) var chosenPC = 0
    /// The last result found within the payload limit without a walk of its own: a task's (walked, or a mocked
    /// response checked once) or a Map's whose iterations passed their items through (``Join/fittingInputs``).
    /// An output that is this very value needs no walk when the execution ends (a workflow that ends on such a
    /// state with the default ResultPath; the walk was 4 % of order_processing's time, 8 % of map_100x3's).
    @exclusivity(unchecked) var checkedResult: JSONValue = .null

    /// Whether `value` is known to fit the payload limit without a walk: it is the execution's input (checked when
    /// the execution started) or ``checkedResult`` itself (same storage, so the same contents).
    func isKnownToFit(_ value: JSONValue) -> Bool {
        value.isSameContainer(as: run.identity.input) || value.isSameContainer(as: checkedResult)
    }
    /// What only retrying states, tasks and Map item selectors use; allocated the first time one of them sets it,
    /// so an execution of Pass, Choice and Wait states (or one parked in a Wait) carries 8 bytes instead of ~130.
    @exclusivity(unchecked) private var extrasReference = SeldomReference<Extras>()
    private var extras: Extras? { extrasReference.object }

    private final class Extras {
        @exclusivity(unchecked) var retryAttempts: [Int] = []
        @exclusivity(unchecked) var retryCount = 0
        @exclusivity(unchecked) var taskToken: String?
        @exclusivity(unchecked) var pendingTask = 0
        @exclusivity(unchecked) var heartbeatGeneration = 0
        @exclusivity(unchecked) var heartbeatSeconds: Int?
        @exclusivity(unchecked) var mapItem: (index: Int, value: JSONValue)?
        @exclusivity(unchecked) var pendingFailure: ExecutionFailure?
        @exclusivity(unchecked) var invocationCounter = 0
        @exclusivity(unchecked) var isCatching = false
        @exclusivity(unchecked) var taskTimer: TimerTicket?
        @exclusivity(unchecked) var heartbeatTimer: TimerTicket?
    }

    /// Whether any of the rarely used fields was ever set (so they may need resetting).
    var hasExtras: Bool { !extrasReference.isNil }

    private var ensuredExtras: Extras {
        if let extras { return extras }
        let made = Extras()
        extrasReference.replace(with: made)
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
    /// The pending invocation's timeout and heartbeat deadline, cancelled when it completes (``TimerTicket``).
    var taskTimer: TimerTicket? {
        get { extras?.taskTimer }
        set { if extras != nil || newValue != nil { ensuredExtras.taskTimer = newValue } }
    }
    var heartbeatTimer: TimerTicket? {
        get { extras?.heartbeatTimer }
        set { if extras != nil || newValue != nil { ensuredExtras.heartbeatTimer = newValue } }
    }
    /// Numbers this graph's asynchronous invocations, so a late completion is recognised as stale.
    var invocationCounter: Int {
        get { extras?.invocationCounter ?? 0 }
        set { if extras != nil || newValue != 0 { ensuredExtras.invocationCounter = newValue } }
    }
    /// Set while a catcher's handler (its Assign and ResultPath) runs, until the next state is entered: a failure
    /// raised there ends the execution instead of being handled by the state's retriers and catchers again (the
    /// catcher whose ResultPath failed would take over again, and again, forever).
    var isCatching: Bool {
        get { extras?.isCatching ?? false }
        set { if extras != nil || newValue { ensuredExtras.isCatching = newValue } }
    }
    /// Variables assigned by the current state, stored when it exits.
    @exclusivity(unchecked) var pendingAssignments: [JSONObject] = []
    private let parentReference: SeldomReference<Join>
    /// The join this branch or iteration reports to; nil for the top-level graph.
    var parent: Join? { parentReference.object }
    /// Whether this graph has a join (is a branch or an iteration), read without a retain.
    var hasParent: Bool { !parentReference.isNil }
    /// The join, unretained; valid while this graph lives (it holds the join).
    var unretainedParent: Unmanaged<Join>? { parentReference.unretained }
    @exclusivity(unchecked) private(set) var childIndex: Int
    @exclusivity(unchecked) var finished = false
    /// States entered by this branch or iteration (its own children included once they finished); added to the
    /// owner's count when it finishes. The top-level graph counts in ``RunState/transitions``.
    @exclusivity(unchecked) var transitions = 0

    /// A branch or iteration (or any graph) driven by `scheduler`, a strand of `run`.
    init(run: RunState, scheduler: RunScheduler, pc: Int, input: JSONValue, enclosingScope: VariableScope?, parent: Join?, childIndex: Int) {
        self.run = run
        unmanagedScheduler = Unmanaged.passUnretained(scheduler)
        otherStrand = SeldomReference(scheduler === run ? nil : scheduler)
        self.pc = pc
        value = input
        enclosingScopeReference = SeldomReference(enclosingScope)
        parentReference = SeldomReference(parent)
        self.childIndex = childIndex
    }

    /// A run's top-level graph, driven by the run's root strand (the run itself). `run` must not be reachable from
    /// any other thread yet: the graph's reference to it is counted without an atomic instruction.
    init(root run: Unmanaged<RunState>, pc: Int, input: JSONValue) {
        quickstep_retain_unshared(run.toOpaque())
        self.run = run.takeRetainedValue()
        unmanagedScheduler = Unmanaged.passUnretained(run.takeUnretainedValue())
        otherStrand = SeldomReference()
        self.pc = pc
        value = input
        enclosingScopeReference = SeldomReference()
        parentReference = SeldomReference()
        childIndex = 0
    }

    /// Makes a finished Map iteration the next one: its own item, index and a fresh state (``VM`` runs the
    /// iterations of an item processor that cannot park one after another on one object).
    func restart(pc: Int, input: consuming JSONValue, childIndex: Int) {
        self.pc = pc
        rawInput = .null
        value = consume input
        // Released only when set: a release of nil is still a call, twice per Map item.
        if !ownScope.isNil { ownScope.replace(with: nil) }
        state = -1
        stateEnteredEventId = 0
        stateEnteredTime = 0
        chosenPC = 0
        if !extrasReference.isNil { extrasReference.replace(with: nil) }
        if !pendingAssignments.isEmpty { pendingAssignments.removeAll() }
        finished = false
        transitions = 0
        self.childIndex = childIndex
    }

    /// Stores a variable in this graph's own scope.
    func assignVariable(_ name: String, _ value: JSONValue) {
        if ownScope.isNil { ownScope.replace(with: VariableScope(parent: enclosingScope)) }
        ownScope.object!.assign(name, value)
    }

    /// Whether the work is moot: the whole run ended, or a sibling's failure cancelled the join.
    ///
    /// Walks up through the joins this graph is nested in without retaining them (each is kept alive by the graph
    /// below it): a Map's inline iterations ask once per item, and binding each join and owner retained and released
    /// them (5 % of map_100x3's samples).
    var isCancelled: Bool {
        if run.hasEnded { return true }
        guard var join = unretainedParent else { return false }
        while true {
            let (cancelled, next) = join._withUnsafeGuaranteedRef { join -> (Bool, Unmanaged<Join>?) in
                if join.isCancelled { return (true, nil) }
                return (false, join.owner.unretainedParent)
            }
            guard !cancelled, let next else { return cancelled }
            join = next
        }
    }

    var stateName: String { state >= 0 ? run.program.tables.states[state].name : "" }

    /// `$$` for the current state.
    func contextValue() -> JSONValue {
        // AWS shows State.RetryCount only in states that can retry (conformance: a Pass's $$.State has none).
        let canRetry = state >= 0 && run.program.stateFacts[state].canRetry
        return ContextObject.value(identity: run.identity, stateName: stateName, enteredTime: stateEnteredTime,
                                   retryCount: canRetry ? retryCount : nil, taskToken: taskToken, mapItem: mapItem)
    }

    /// AWS's prefix for causes of errors raised while a state runs. Out of line: errors are rare, and inlined
    /// into the interpreter loop its texts were set up on every call of the loop.
    @inline(never)
    func causePrefix() -> String {
        "An error occurred while executing the state '\(stateName)' (entered at the event id #\(stateEnteredEventId)). "
    }

    /// Records an event and returns its id. The type and details are only built when events are kept: with
    /// history off this is one increment (the ids still count, for AWS's error causes).
    @discardableResult
    func record(_ type: @autoclosure () -> String, _ details: @autoclosure () -> (key: String, value: JSONObject)? = nil) -> Int {
        let id = run.keepsEvents ? run.recordEvent(type(), previous: lastEventId, details: details()) : run.skipEvent()
        lastEventId = id
        return id
    }
}
