import CoreMetrics
import Dispatch
import QuickstepJSON
import QuickstepLanguage
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How an ``Engine`` runs.
public struct EngineConfiguration: Sendable {
    /// Which events executions keep, like Express logging levels.
    public enum HistoryLevel: Sendable {
        /// No events are kept (event ids are still counted for error causes).
        case off
        /// Events are kept for executions that fail, time out or are aborted.
        case error
        /// Events are kept for every execution.
        case all
    }

    /// Where the branches of a Parallel and the iterations of a Map run.
    public enum FanOut: Sendable {
        /// On the worker that runs the execution, unless other workers are idle (looking for work or parked):
        /// then they take a share. Under load this keeps each execution on one worker (no hand-offs); a lone big Map
        /// still uses every core.
        case whenIdle
        /// Always spread over every worker (one strand per worker per Map or Parallel state).
        case always
        /// Always on the execution's worker.
        case never
    }

    /// Worker threads; one per core by default.
    public var workers: Int
    public var fanOut = FanOut.whenIdle
    public var historyLevel = HistoryLevel.off
    /// How many finished executions stay describable: the newest by finish time. Memory stays flat however many
    /// run: each worker, and the threads outside the pool, keep the last this many they finished (see
    /// ``FinishedRing``), at most `(workers + 1) × retainedExecutions` in all.
    public var retainedExecutions = 1000
    /// The longest an execution may run unless its machine says less (Express: 5 minutes).
    public var maximumExecutionSeconds = 300
    public var region = "us-east-1"
    public var account = "123456789012"
    /// Where metrics go (swift-metrics); `nil` uses the process's bootstrapped `MetricsSystem.factory`.
    public var metricsFactory: (any MetricsFactory)?
    /// Called on a worker with the tag and the outcome of every execution started with
    /// ``Engine/submitExecution(stateMachine:input:inputByteCount:name:tag:)``: one handler for all of a stream's
    /// events, each told apart by its tag (an offset, a sequence number), instead of a closure per event, which is
    /// an allocation, a free and two atomic reference-count updates per execution.
    public var taggedCompletion: (@Sendable (UInt64, ExecutionResult) -> Void)?

    public init(workers: Int = EngineConfiguration.processorCount) {
        self.workers = workers
    }

    /// The number of processors online.
    public static var processorCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}

/// What the engine reports about an execution (`DescribeExecution`).
public struct ExecutionDescription: Sendable {
    public enum Status: String, Sendable {
        case running = "RUNNING", succeeded = "SUCCEEDED", failed = "FAILED", timedOut = "TIMED_OUT", aborted = "ABORTED"
    }

    public var executionArn: String
    public var stateMachineName: String
    public var name: String
    public var status: Status
    /// Milliseconds since the epoch.
    public var startDate: Int64
    public var stopDate: Int64?
    public var input: JSONValue
    public var output: JSONValue?
    public var error: String?
    public var cause: String?
}

/// The engine's running totals. `started == succeeded + failed + timedOut + aborted + running` always holds.
public struct EngineCounters: Sendable, Equatable {
    public var started = 0
    public var succeeded = 0
    public var failed = 0
    public var timedOut = 0
    public var aborted = 0
    public var running = 0
    /// States entered, over all finished executions.
    public var stateTransitions = 0

    public init(started: Int = 0, succeeded: Int = 0, failed: Int = 0, timedOut: Int = 0, aborted: Int = 0, running: Int = 0,
                stateTransitions: Int = 0) {
        self.started = started
        self.succeeded = succeeded
        self.failed = failed
        self.timedOut = timedOut
        self.aborted = aborted
        self.running = running
        self.stateTransitions = stateTransitions
    }
}

/// Errors of the engine's API, named as the Step Functions API names them.
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String

    public var description: String { "\(code): \(message)" }

    static func stateMachineDoesNotExist(_ name: String) -> EngineError {
        EngineError(code: "StateMachineDoesNotExist", message: "State Machine Does Not Exist: '\(name)'")
    }
}

/// Runs many executions at once over a pool of workers, Express-style: at least once, every execution reaching
/// a terminal state that can be observed.
///
/// ```swift
/// let engine = Engine()
/// try engine.createStateMachine(name: "Orders", definition: text)
/// engine.handlers.register("arn:aws:lambda:us-east-1:123456789012:function:Charge") { $0.input }
/// let result = try engine.startSyncExecution(stateMachine: "Orders", input: ["total": 12])
/// ```
///
/// Safe to use from any thread.
public final class Engine: Sendable {
    public let configuration: EngineConfiguration
    /// The task handlers every execution uses.
    public let handlers = TaskHandlerRegistry()

    /// The registered state machines by name, each with what its runs borrow: one table per counters stripe
    /// (each worker's, and one for threads outside the pool), each table with a `RunResources` of its own for every
    /// machine. An execution started on a worker locks that worker's table and retains that worker's copy, so
    /// workers starting executions of one machine write no shared lock and no shared reference count.
    private let machineTables: LockedStripes<MachineTable>
    /// Each worker's last machine, found without its table's lock (see ``MachineCache``).
    private let machineCache: MachineCache
    private let timers = TimerService()
    private let pool: WorkerPool
    /// A host per counters stripe (see ``PoolHost``).
    private let hosts: [PoolHost]
    /// Running and recently finished executions (internal, not private: tests look runs up in it).
    let registry: ExecutionRegistry
    private let totals: Totals
    /// Where starts and stops read the time (the process's ``CycleClock``).
    private let clock = CycleClock.shared
    private let tokens = TaskTokenBook()
    /// Seeds the ids of this engine's executions (``UUIDv4/pair(seed:stream:position:)``): random, so that two
    /// engines in one process name their executions apart.
    private let idSeed: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    /// Checks running executions against their deadlines four times a second.
    private nonisolated(unsafe) let sweeper: any DispatchSourceTimer
    /// ``EngineConfiguration/taggedCompletion``, kept alive here and called borrowed (``Engine/report``).
    private let taggedCompletion: TaggedCompletion?

    /// The tagged executions' completion handler in an object of its own, so that workers call it borrowed: a
    /// closure loaded from a stored property for a call had its context retained and released, on a line every
    /// worker shares.
    final class TaggedCompletion: Sendable {
        let body: @Sendable (UInt64, ExecutionResult) -> Void
        init(_ body: @escaping @Sendable (UInt64, ExecutionResult) -> Void) { self.body = body }
    }

    public init(configuration: EngineConfiguration = EngineConfiguration()) {
        self.configuration = configuration
        registry = ExecutionRegistry(capacity: configuration.retainedExecutions, segments: configuration.workers + 1)
        totals = Totals(stripes: configuration.workers + 1, metrics: EngineMetrics(factory: configuration.metricsFactory ?? MetricsSystem.factory))
        machineTables = LockedStripes(count: configuration.workers + 1) { _ in MachineTable() }
        machineCache = MachineCache(stripes: configuration.workers + 1)
        let registry = registry
        let totals = totals
        let clock = clock
        let taggedCompletion = configuration.taggedCompletion.map(TaggedCompletion.init)
        self.taggedCompletion = taggedCompletion
        let tagged = taggedCompletion.map { Unmanaged.passUnretained($0) }
        pool = WorkerPool(workers: configuration.workers) { scheduler, worker in
            Engine.drive(consume scheduler, registry: registry, totals: totals, clock: clock, tagged: tagged, stripe: worker + 1)
        }
        let (timers, pool, fanOut) = (timers, pool, configuration.fanOut)
        hosts = (0...configuration.workers).map { _ in PoolHost(timers: timers, pool: pool, fanOut: fanOut) }
        sweeper = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "quickstep.deadlines"))
        // The sweep also keeps the engine's clock anchored to the system clock (``CycleClock``).
        clock.recalibrate()
        sweeper.setEventHandler { [registry] in
            clock.recalibrate()
            registry.timeOutOverdue(now: RunScheduler.wallClockMilliseconds())
        }
        sweeper.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250), leeway: .milliseconds(50))
        sweeper.activate()
    }

    deinit {
        sweeper.cancel()
    }

    /// Stops the workers. Executions still running are left where they are.
    public func shutdown() {
        pool.shutdown()
    }

    // MARK: State machines

    /// Validates, compiles and registers a definition under `name` (replacing one of the same name).
    ///
    /// - Returns: the state machine's ARN.
    /// - Throws: ``InvalidDefinition`` with every problem found.
    @discardableResult
    public func createStateMachine(name: String, definition: String) throws(InvalidDefinition) -> String {
        register(Program(try StateMachine(definition: definition)), name: name)
    }

    /// Registers an already compiled program under `name`; returns its ARN. With `mocks`, the Task states the
    /// test case names answer with its mocked responses.
    ///
    /// Starts from threads outside the pool run `program` itself; each worker runs a copy of its own, compiled again
    /// from the machine's definition (``Program/init(copying:)``), with its own copy of the mocked responses.
    @discardableResult
    public func register(_ program: Program, name: String, mocks: MockedTestCase? = nil) -> String {
        var arn = ""
        for table in 0..<machineTables.count {
            // Each worker runs a program of its own (see ``Program/init(copying:)``), and has an identity of its own:
            // every start reads the identity (its ARN prefix spells the execution's ARN), and one object shared by
            // every worker had its reference count, and its strings' counts, written by all of them.
            let own = table == 0 ? program : Program(copying: program)
            let identity = MachineIdentity(stateMachineName: name, region: configuration.region,
                                           account: configuration.account, executionKind: "express")
            let resources = RunResources(program: own, handlers: handlers, mocks: mocks.map { MockPlan($0, program: own) },
                                         tokenBook: tokens, machine: identity, host: hosts[table])
            machineTables.withLock(table) { $0.register(resources, named: name) }
            arn = identity.stateMachineArn
        }
        machineCache.invalidate()
        return arn
    }

    // MARK: Executions

    /// Starts an execution and returns its ARN at once; it runs on the workers. `onCompletion`, if given, is
    /// called on a worker thread with the outcome.
    ///
    /// `inputByteCount`: the length of the UTF-8 JSON text `input` was parsed from, when the caller has it (an
    /// event read from a stream, a file). The 256 KiB input limit is then checked against it, as AWS checks the
    /// input string of a StartExecution request, instead of against `input`'s compact text, which takes a walk
    /// of the whole input (a fifth of a 100-item Map execution's cost).
    ///
    /// - Throws: ``EngineError`` `StateMachineDoesNotExist`.
    @discardableResult
    public func startExecution(
        stateMachine: String, input: JSONValue = [:], inputByteCount: Int? = nil, name: String? = nil,
        onCompletion: consuming (@Sendable (ExecutionResult) -> Void)? = nil
    ) throws(EngineError) -> String {
        // Filed as running at once: the caller may ask about the ARN as soon as it has it.
        let worker = pool.currentWorker()
        let run = try prepare(stateMachine: stateMachine, input: input, inputByteCount: inputByteCount, name: name,
                                      onCompletion: onCompletion, registers: true, worker: worker)
        let arn = run.identity.executionArn
        launch(consume run, isRegistered: true, worker: worker)
        return arn
    }

    /// Starts an execution as ``startExecution(stateMachine:input:inputByteCount:name:onCompletion:)`` does, without spelling
    /// its ARN: for callers that follow executions through `onCompletion` alone, such as a consumer of an event
    /// stream (each event an execution). The ARN is about a hundred bytes of text built per call (4 to 9 % of
    /// the cost of a short execution).
    ///
    /// Nobody has its ARN, so the execution is filed among the running ones (for ``listExecutions(stateMachine:status:)``,
    /// ``describeExecution(_:)`` and the timeout sweep) only if it parks (a Wait, an asynchronous task, a join
    /// waiting on other workers); one that runs from start to end in one go, most of them, goes straight to the
    /// finished ones. Filing and unfiling it were two locks, a hash insert and removal and a retain and a release
    /// per execution (10 % of pass_chain_10's instructions). (AWS lists and describes no Express executions at all.)
    ///
    /// - Throws: ``EngineError`` `StateMachineDoesNotExist`.
    public func submitExecution(
        stateMachine: String, input: JSONValue = [:], inputByteCount: Int? = nil, name: String? = nil,
        onCompletion: consuming (@Sendable (ExecutionResult) -> Void)? = nil
    ) throws(EngineError) {
        let worker = pool.currentWorker()
        let run = try prepare(stateMachine: stateMachine, input: input, inputByteCount: inputByteCount, name: name,
                                      onCompletion: onCompletion, registers: false, worker: worker)
        launch(consume run, isRegistered: false, worker: worker)
    }

    /// Starts an execution as ``submitExecution(stateMachine:input:inputByteCount:name:onCompletion:)`` does, and
    /// reports its outcome with `tag` to the engine's ``EngineConfiguration/taggedCompletion`` handler: for a
    /// stream consumer, which tells its events apart by a number (an offset), one handler for all of them instead of
    /// a closure per event.
    ///
    /// - Throws: ``EngineError`` `StateMachineDoesNotExist`; `NoTaggedCompletion` when the engine was configured
    ///   without a ``EngineConfiguration/taggedCompletion`` handler (the outcome would go nowhere).
    public func submitExecution(
        stateMachine: String, input: JSONValue = [:], inputByteCount: Int? = nil, name: String? = nil, tag: UInt64
    ) throws(EngineError) {
        guard taggedCompletion != nil else {
            throw EngineError(code: "NoTaggedCompletion",
                              message: "submitExecution(tag:) needs EngineConfiguration.taggedCompletion to report the outcome to")
        }
        let worker = pool.currentWorker()
        let run = try prepare(stateMachine: stateMachine, input: input, inputByteCount: inputByteCount, name: name,
                                      onCompletion: nil, registers: false, worker: worker)
        run.completionTag = tag
        run.isTagged = true
        launch(consume run, isRegistered: false, worker: worker)
    }

    /// Hands a run whose top-level graph is queued (``prepare(stateMachine:input:inputByteCount:name:onCompletion:registers:)``
    /// queued it) to the pool, the caller's reference with it (a copy retained for the queue was released by the
    /// caller, a pair of atomic operations per start).
    ///
    /// A run filed among the running executions (`isRegistered`) may be woken by another thread already (the deadline
    /// sweep finds it there), so it is marked scheduled by a compare-and-exchange that only one waker wins; a run
    /// nobody else knows of yet is marked by a store.
    private func launch(_ run: consuming RunState, isRegistered: Bool, worker: Unmanaged<WorkerPool.Worker>?) {
        if isRegistered {
            guard run.isScheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        } else {
            run.isScheduled.store(true, ordering: .relaxed)
        }
        pool.submit(consume run, from: worker)
    }

    /// Runs an execution to its end and returns its outcome (`StartSyncExecution`). An execution that never
    /// parks runs entirely on the calling thread; one that parks continues on the workers while the caller waits.
    /// When it returns, ``counters`` include the execution. As with ``submitExecution(stateMachine:input:inputByteCount:name:onCompletion:)``,
    /// the execution is filed among the running ones only if it parks.
    ///
    /// - Throws: ``EngineError`` `StateMachineDoesNotExist`.
    public func startSyncExecution(
        stateMachine: String, input: JSONValue = [:], inputByteCount: Int? = nil, name: String? = nil
    ) throws(EngineError) -> ExecutionResult {
        let worker = pool.currentWorker()
        let run = try prepare(stateMachine: stateMachine, input: input, inputByteCount: inputByteCount, name: name,
                                      onCompletion: nil, registers: false, worker: worker)
        run.isSynchronous = true
        let scheduler: RunScheduler = run  // the root strand: the run itself
        if scheduler.isScheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            // A reference of the drive's own: this caller reads the outcome from the run afterwards.
            Engine.drive(copy scheduler, registry: registry, totals: totals, clock: clock, tagged: taggedCompletion.map { Unmanaged.passUnretained($0) },
                         stripe: Self.totalsStripe(of: worker))
        }
        // Returns at once when the drive above reported the outcome; else parks until a worker has.
        run.syncSignal.wait()
        return run.result!
    }

    /// Stops a running execution: it ends ABORTED with the given error and cause (`StopExecution`).
    ///
    /// - Throws: ``EngineError`` `ExecutionDoesNotExist` for an unknown ARN; stopping a finished execution does
    ///   nothing, as AWS does.
    public func stopExecution(_ executionArn: String, error: String? = nil, cause: String? = nil) throws(EngineError) {
        if let run = registry.running(executionArn) {
            run.scheduler.post(.stop(error: error, cause: cause))
        } else if registry.describe(executionArn) == nil {
            throw EngineError(code: "ExecutionDoesNotExist", message: "Execution Does Not Exist: '\(executionArn)'")
        }
    }

    /// The execution's status and, once it ended, its outcome; `nil` when unknown or no longer retained.
    public func describeExecution(_ executionArn: String) -> ExecutionDescription? {
        registry.describe(executionArn)
    }

    /// Executions running now and those retained, newest first, optionally of one machine and one status.
    public func listExecutions(stateMachine: String? = nil, status: ExecutionDescription.Status? = nil) -> [ExecutionDescription] {
        registry.list().filter { (stateMachine == nil || $0.stateMachineName == stateMachine) && (status == nil || $0.status == status) }
    }

    /// The events of a retained execution, as `GetExecutionHistory` returns them (per the history level).
    public func executionHistory(_ executionArn: String) -> [JSONValue]? {
        registry.history(executionArn)
    }

    // MARK: Callback tasks

    /// Completes the callback task (`.waitForTaskToken`) holding `taskToken` with `output` (SendTaskSuccess).
    ///
    /// - Throws: ``EngineError`` `TaskDoesNotExist` for an unknown or already completed token, `TaskTimedOut`
    ///   for one whose task timed out, `InvalidOutput` when `output` exceeds 256 KiB.
    public func sendTaskSuccess(taskToken: String, output: JSONValue) throws(EngineError) {
        guard output.compactText.utf8.count <= Limits.payloadBytes else {
            throw EngineError(code: "InvalidOutput", message: "The output exceeds the maximum size of \(Limits.payloadBytes) bytes")
        }
        try tokens.completion(for: taskToken).succeed(output)
    }

    /// Fails the callback task holding `taskToken` with `error` and `cause` (SendTaskFailure).
    ///
    /// - Throws: ``EngineError`` as ``sendTaskSuccess(taskToken:output:)``.
    public func sendTaskFailure(taskToken: String, error: String? = nil, cause: String? = nil) throws(EngineError) {
        try tokens.completion(for: taskToken).fail(ExecutionFailure(error: error ?? "", cause: cause))
    }

    /// Restarts the heartbeat clock of the callback task holding `taskToken` (SendTaskHeartbeat).
    ///
    /// - Throws: ``EngineError`` as ``sendTaskSuccess(taskToken:output:)``.
    public func sendTaskHeartbeat(taskToken: String) throws(EngineError) {
        try tokens.completion(for: taskToken).heartbeat()
    }

    /// Runs `body` once on each of the engine's workers, with the worker's index (from 0 to
    /// ``EngineConfiguration/workers`` - 1), and returns when every worker has run it.
    ///
    /// Executions that `body` starts are made on that worker and queued on it (its own queue holds 4,096; more go to
    /// the queue all workers share), so that, unless an idle worker steals them, one worker makes, drives and frees
    /// their runs. A program that keeps chains of executions going (each completion starting the next) can start
    /// each worker's share this way, so that each worker's executions lie in memory it allocated: runs made on one
    /// thread and driven by all the workers end up interleaved in memory, each worker's beside the others', and on a
    /// machine whose cores are far apart every line the workers share slows both (see
    /// `perf/results/2026-11-30-profile-15.md`).
    ///
    /// `body` runs between the runs a worker drives, so it should be short. Call it from a thread of your own, not
    /// from a completion handler or a task handler (those run on the workers, and a worker waiting for the others
    /// while they wait for it would never return): it stops the program with a precondition failure. After
    /// ``shutdown()`` it returns without running `body` on the workers that have stopped.
    public func runOnEachWorker(_ body: @escaping @Sendable (_ worker: Int) -> Void) {
        pool.runOnEachWorker(body)
    }

    /// The running totals.
    public var counters: EngineCounters { totals.snapshot() }

    /// Blocks until no execution is running.
    public func waitUntilIdle() {
        totals.waitUntilIdle()
    }

    // MARK: Internals

    /// Makes a run with its top-level graph queued, ready to launch. `registers`: file it among the running
    /// executions now; otherwise ``drive(_:registry:totals:clock:tagged:stripe:)`` files it if it parks.
    /// `worker`: the calling thread's worker (``WorkerPool/currentWorker()``), whose stripe of the counters the start
    /// is counted in.
    private func prepare(
        stateMachine: String, input: JSONValue, inputByteCount: Int?, name: String?,
        onCompletion: consuming (@Sendable (ExecutionResult) -> Void)?, registers: Bool,
        worker: Unmanaged<WorkerPool.Worker>?
    ) throws(EngineError) -> RunState {
        let stripe = Self.totalsStripe(of: worker)
        // Bound straight from the lookup: a binding of a local optional copied the reference (a retain, and the
        // optional's release).
        guard let resources = machineCache.resources(named: stateMachine, stripe: stripe, lookUp: {
            machineTables.withLock(stripe) { $0.resources(named: stateMachine) }
        }) else {
            throw .stateMachineDoesNotExist(stateMachine)
        }
        let keepsEvents = configuration.historyLevel != .off
        let history = keepsEvents ? History(clock: Engine.wallClock) : nil
        // Counted first: the stripe's count numbers the execution in the stripe's stream of ids.
        let position = totals.started(stripe: stripe)
        let sequence = UUIDv4.sequence(stream: stripe, position: position)
        // What the run needs of its resources is read before the run takes them over, and the host is handed
        // straight to the run: each local copy of a reference the run also keeps was a retain and a release per
        // start (the host's clock is the wall clock, read directly).
        let (keptInput, rootInput) = input.twoCopies()
        let identity = ExecutionIdentity(machine: resources.unmanagedMachine, name: name, seed: idSeed, sequence: sequence,
                                         input: consume keptInput, startNanoseconds: clock.nanoseconds())
        let entry = resources.program.entry
        let limit = min(resources.program.timeoutSeconds ?? Int.max, configuration.maximumExecutionSeconds)
        let run = RunState(resources: consume resources, identity: consume identity, history: consume history)
        run.onCompletion = consume onCompletion  // taken over: the caller's reference, not a copy of it
        run.keepsHistoryOnSuccess = configuration.historyLevel == .all
        let root = Execution(root: Unmanaged.passUnretained(run), pc: entry, input: consume rootInput)
        root.record("ExecutionStarted", ("executionStartedEventDetails", [
            "input": .string(input.compactText), "inputDetails": ["truncated": false], "roleArn": .string(run.identity.roleArn),
        ]))
        // Execution timeouts are not timers: a finished execution would leave its entry in the heap for minutes.
        // The registry's sweep finds running executions past their deadline instead. Set before the run is
        // registered, where the sweep can see it.
        run.deadline = run.identity.startTime + Int64(limit) * 1000
        if Limits.inputExceedsLimit(input, byteCount: inputByteCount) {
            VM.finish(root, .failure(ExecutionFailure(error: ErrorName.dataLimitExceeded,
                                                      cause: "The execution input exceeds the maximum number of bytes service limit.")))
        }
        // Queued on its root strand (the run itself) before any other thread can see the run; a root that ended
        // above is dropped unrun by the drive.
        run.enqueue(consume root)
        if registers {
            registry.add(run)
            run.isRegistered = true
        }
        return run
    }

    private static let wallClock: @Sendable () -> Int64 = { RunScheduler.wallClockMilliseconds() }

    /// The counters' stripe of `worker`'s thread (the calling thread's worker), stripe 0 for a thread outside the pool.
    private static func totalsStripe(of worker: Unmanaged<WorkerPool.Worker>?) -> Int {
        worker.map { WorkerPool.index(of: $0) + 1 } ?? 0
    }

    /// Drives a run on the current thread until it parks or ends; when it ends, records and reports it.
    /// `scheduler`: the caller's reference, taken over (an ended run's goes on to the finished ring).
    /// `stripe`: the calling thread's stripe of the totals.
    /// `tagged`: the engine's ``TaggedCompletion``, kept alive by the engine.
    static func drive(_ scheduler: consuming RunScheduler, registry: ExecutionRegistry, totals: Totals, clock: CycleClock,
                      tagged: Unmanaged<TaggedCompletion>?, stripe: Int) {
        while true {
            scheduler.runUntilIdle()
            // The run outlives this call (the strand is the run, or retains it): read borrowed, without a retain.
            if scheduler.withRun({ $0.hasEnded }) {
                // Other strands just stop; the root strand, which set the outcome, reports it. The root strand is the
                // run itself (``RunState``).
                if scheduler.isRoot {
                    report(unsafeDowncast(consume scheduler, to: RunState.self), registry: registry, totals: totals, clock: clock,
                           tagged: tagged, stripe: stripe)
                }
                return
            }
            // A run parks: filed among the running executions, if it is not yet, while this thread still has it (no
            // other thread can drive it, so none can end it and unfile it first).
            if scheduler.isRoot {
                let run = unsafeDowncast(scheduler, to: RunState.self)
                if !run.isRegistered {
                    registry.add(run)
                    run.isRegistered = true
                }
            }
            scheduler.isScheduled.store(false, ordering: .releasing)
            // A message that arrived while we were finishing would have found the run still scheduled: look again.
            guard scheduler.hasMessages,
                scheduler.isScheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
            else { return }
        }
    }

    /// Records and reports the outcome of a run that has ended, once. `run`: the caller's reference, handed on to
    /// the finished ring (a reference of the ring's own was a retain, and the caller's a release, per execution).
    ///
    /// After the ring has the run, the rest reads it through an unretained reference. The ring keeps it alive
    /// meanwhile: each of its segments is appended to by one thread alone (a worker's, `stripe`), so the run cannot
    /// be pushed out of it before this thread appends again; and where `stripe` is the segment of the threads
    /// outside the pool (0), the caller is ``startSyncExecution(stateMachine:input:inputByteCount:name:)``, which
    /// holds a reference of its own until the outcome is reported.
    private static func report(_ run: consuming RunState, registry: ExecutionRegistry, totals: Totals, clock: CycleClock,
                               tagged: Unmanaged<TaggedCompletion>?, stripe: Int) {
        guard run.hasEnded, !run.reported else { return }
        run.reported = true
        // Never before the start: two readings of the cycle clock on either side of a re-anchoring may disagree by
        // a little (see ``CycleClock``).
        let stopTime = max(clock.nanoseconds(), run.identity.startNanoseconds)
        let stopDate = stopTime / 1_000_000
        run.stopNanoseconds = stopTime  // before the registry publishes the run to other threads
        let unretained = Unmanaged.passUnretained(run)
        registry.finish(consume run, stopTime: stopTime, segment: stripe)
        unretained._withUnsafeGuaranteedRef { run in
            // The callback first: waitUntilIdle returns only after every callback has run. The outcome is built for
            // the callback alone (the counters need only its status).
            // Taken out, not copied: the run is done with it, and a copy retained and released its context once
            // more. (Through `if let`, the closure taken was retained once more for the call and released twice
            // after it.)
            run.onCompletion.take().map { run.withEndedResult($0) }
            if run.isTagged, let tagged {
                tagged._withUnsafeGuaranteedRef { handler in run.withEndedResult { handler.body(run.completionTag, $0) } }
            }
            totals.finished(run.status, transitions: run.transitions,
                            milliseconds: stopDate - run.identity.startTime, stripe: stripe)
            // Last: when startSyncExecution returns, the counters include its execution.
            if run.isSynchronous { run.syncSignal.markEnded() }
        }
    }
}
