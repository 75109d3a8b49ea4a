import QuickstepJSON
import Synchronization

/// What every graph of one execution shares: the program, the handlers, the history, the clock, the outcome.
///
/// A run is its own root strand: the strand that drives the top-level graph is the run object itself (a
/// ``RunScheduler`` subclass), so starting an execution makes one object fewer (a strand of its own was an
/// allocation, a free and a retain and a release per execution). Other strands are plain ``RunScheduler``s.
///
/// Thread safety: the outcome and the top-level transition count are written only by the root strand. Once the
/// run's children spread over several strands (``markSpread()``, called before the second strand exists), the
/// history and the mock attempts are guarded by ``sharedLock``.
final class RunState: RunScheduler, @unchecked Sendable {
    /// The program, handlers, mocks and token book, behind one reference (see ``RunResources``). Read through
    /// it: a `let` reached from the run is borrowed without touching its reference count, whereas a copy of the
    /// reference in the run (or an `unowned(unsafe)` one, which Swift retains when it is loaded) retains it.
    let resources: RunResources
    var program: Program { resources.program }
    let identity: ExecutionIdentity
    var handlers: TaskHandlerRegistry { resources.handlers }
    /// The kept events, when the run keeps them; nil otherwise, so that a run that keeps none (the engine's
    /// default) allocates no history.
    var history: History? { historyReference.object }
    private let historyReference: SeldomReference<History>
    /// Whether the run keeps its events.
    var keepsEvents: Bool { !historyReference.isNil }
    /// The id the next event gets, kept or not.
    @exclusivity(unchecked) private var nextEventId = 1
    /// The root strand (the top-level graph's): the run itself.
    var scheduler: RunScheduler { self }
    /// The outcome, once the run has ended; set once, by the root strand (``succeed(with:)``, ``end(with:)``).
    /// Its start and stop times are the run's (the stop time is set when the outcome is reported).
    var result: ExecutionResult? {
        if let resultBox = resultBox.object { return dated(resultBox.result) }
        guard let output = successOutput else { return nil }
        return ExecutionResult(status: .succeeded, output: output, error: nil, cause: nil, history: [],
                               startNanoseconds: identity.startNanoseconds, stopNanoseconds: stopNanoseconds)
    }

    /// Calls `body` with the outcome of a run that has ended (``hasEnded``), with its start and stop times.
    ///
    /// A success lends its output: the result given to `body` holds the run's own reference to it, bit for bit and
    /// not counted, and forgets it after the call (a copy for the call was a retain and a release per execution,
    /// an atomic pair on the output's storage). The run outlives the call, and a `body` that keeps the result, or
    /// anything in it, copies it, counted as any copy is.
    func withEndedResult(_ body: (ExecutionResult) -> Void) {
        if let resultBox = resultBox.object { return body(dated(resultBox.result)) }
        var result = ExecutionResult(status: .succeeded, output: nil, error: nil, cause: nil, history: [],
                                     startNanoseconds: identity.startNanoseconds, stopNanoseconds: stopNanoseconds)
        let size = MemoryLayout<JSONValue?>.size
        withUnsafeMutablePointer(to: &result.output) { lent in
            withUnsafePointer(to: &successOutput) { UnsafeMutableRawPointer(lent).copyMemory(from: $0, byteCount: size) }
        }
        body(result)
        // Forgotten, not released: `nil` written over the lent bits.
        withUnsafeMutablePointer(to: &result.output) {
            UnsafeMutableRawPointer($0).initializeMemory(as: JSONValue?.self, repeating: nil, count: 1)
        }
    }

    /// `result` with the run's start and stop times.
    private func dated(_ result: ExecutionResult) -> ExecutionResult {
        var result = result
        result.startNanoseconds = identity.startNanoseconds
        result.stopNanoseconds = stopNanoseconds
        return result
    }

    /// When the outcome was reported, in nanoseconds since the epoch; set once, before the outcome is read.
    @exclusivity(unchecked) var stopNanoseconds: Int64 = 0

    /// The outcome's status, once the run has ended: read without building the outcome (``result`` copies the
    /// output into a new ``ExecutionResult``).
    var status: ExecutionResult.Status { resultBox.object?.result.status ?? .succeeded }

    /// Ends the run successfully with `output` and no events: kept in the run as the output alone (most outcomes;
    /// a box for every outcome was an allocation and a free per execution).
    func succeed(with output: consuming JSONValue) {
        successOutput = consume output
        ended.store(true, ordering: .releasing)
    }

    /// Ends the run with any other outcome, boxed: a running execution pays 8 bytes for it, not 72.
    func end(with result: ExecutionResult) {
        resultBox.replace(with: ResultBox(result))
        ended.store(true, ordering: .releasing)
    }

    private final class ResultBox {
        let result: ExecutionResult
        init(_ result: ExecutionResult) { self.result = result }
    }
    @exclusivity(unchecked) private var resultBox = SeldomReference<ResultBox>()
    @exclusivity(unchecked) private var successOutput: JSONValue?
    // The one-byte fields together, after the optional's tag byte (Swift lays a class's fields out in the order
    // they are written; scattered, each took a word, and a parked run crossed into the next allocation size).
    private let ended = Atomic<Bool>(false)
    @exclusivity(unchecked) var reported = false
    /// Whether a synchronous start waits for this run (``syncSignal`` is then told when the outcome is reported).
    @exclusivity(unchecked) var isSynchronous = false
    /// Whether the run is filed among the running executions (``ExecutionRegistry``): from its start, or from when
    /// it first parked (see ``Engine``). Written and read by the thread that drives the root strand.
    @exclusivity(unchecked) var isRegistered = false
    /// Whether the outcome goes to the engine's tagged completion handler, with ``completionTag``.
    @exclusivity(unchecked) var isTagged = false
    /// Whether a successful execution keeps its events (history level `all`).
    @exclusivity(unchecked) var keepsHistoryOnSuccess = true
    /// Whether states record when they were entered (for `$$.State.EnteredTime` and history timestamps).
    let needsStateTimes: Bool
    /// Whether the run keeps no events and no times and runs on one strand: a state that does nothing then only
    /// counts itself and takes its event ids (``VM/pass(_:_:_:)``), after one check instead of three.
    @exclusivity(unchecked) private(set) var isQuiet: Bool
    /// Whether the outcome is known; safe from any strand.
    var hasEnded: Bool { ended.load(ordering: .acquiring) }
    /// Guards the history and the mock attempts once the run spans several strands.
    var sharedLock: Lock? { sharedLockReference.object }
    @exclusivity(unchecked) private var sharedLockReference = SeldomReference<Lock>()
    /// Engine runs: where callback tasks' tokens are opened, for Engine.sendTaskSuccess and friends.
    var tokenBook: TaskTokenBook? { resources.tokenBook }
    /// States entered so far, branches and iterations included (theirs are added as they finish).
    @exclusivity(unchecked) var transitions = 0
    /// Engine runs: called once with the outcome.
    @exclusivity(unchecked) var onCompletion: (@Sendable (ExecutionResult) -> Void)?
    /// The tag the outcome is reported with (``isTagged``).
    @exclusivity(unchecked) var completionTag: UInt64 = 0
    let syncSignal = SyncSignal()
    /// How many times each mocked state has invoked its task, by ``MockPlan`` slot (empty until the first).
    @exclusivity(unchecked) var mockAttempts: [Int] = []
    /// When the execution times out, in milliseconds since the epoch on the wall clock (engine runs, and a
    /// standalone run with `TimeoutSeconds`, for loops that never park: ``VM/checkIn(_:_:)``); `Int64.max` for never. Not an
    /// optional: its tag byte took the run past 320 bytes, into the allocator's next size (384).
    @exclusivity(unchecked) var deadline = Int64.max

    /// A run whose strands' timers and wake-ups go to its resources' host. The references are taken over (each
    /// copied in was a retain, and the caller's release of its own, per start).
    init(resources: consuming RunResources, identity: consuming ExecutionIdentity, history: consuming History?) {
        needsStateTimes = resources.program.readsContextObject || history != nil
        isQuiet = !needsStateTimes && history == nil
        self.resources = resources
        self.identity = identity
        historyReference = SeldomReference(history)
        super.init()
        belong(to: self)
    }

    /// Called before a run's children first go to a second strand: from then on the shared parts are locked.
    func markSpread() {
        guard sharedLockReference.isNil else { return }
        sharedLockReference.replace(with: Lock())
        isQuiet = false
        mayHaveMessages = true  // children on other strands report here
    }

    /// Takes the next event id without recording anything.
    @inline(__always)
    func skipEvent() -> Int {
        if let sharedLock { return sharedLock.withLock { takeEventId() } }
        return takeEventId()
    }

    /// Takes `count` consecutive event ids without recording anything; returns the first.
    @inline(__always)
    func skipEvents(_ count: Int) -> Int {
        if let sharedLock { return sharedLock.withLock { takeEventIds(count) } }
        return takeEventIds(count)
    }

    /// ``skipEvents(_:)`` for a run known to be ``isQuiet`` (so on one strand, with no lock to take).
    @inline(__always)
    func takeUnsharedEventIds(_ count: Int) -> Int {
        takeEventIds(count)
    }

    // Ids and the counts below are unchecked (`&+`): 2⁶³ events or transitions are out of reach, and each check
    // was a branch per state.
    @inline(__always)
    private func takeEventIds(_ count: Int) -> Int {
        nextEventId &+= count
        return nextEventId &- count
    }

    @inline(__always)
    private func takeEventId() -> Int {
        nextEventId &+= 1
        return nextEventId &- 1
    }

    /// Records an event (when events are kept) and returns its id. `previous: nil` links it to the event before.
    @discardableResult
    func recordEvent(_ type: String, previous: Int?, details: (key: String, value: JSONObject)? = nil) -> Int {
        withShared {
            let id = takeEventId()
            history?.append(type, id: id, previous: previous ?? id - 1, details: details)
            return id
        }
    }

    /// The events recorded so far; empty when none are kept.
    var events: [JSONValue] {
        guard let history else { return [] }
        return withShared { history.events }
    }

    /// Runs `body` under the shared lock when the run spans several strands.
    func withShared<Result>(_ body: () -> Result) -> Result {
        guard let sharedLock else { return body() }
        return sharedLock.withLock { body() }
    }
}
