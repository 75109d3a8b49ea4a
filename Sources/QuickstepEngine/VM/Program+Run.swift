import QuickstepJSON
import QuickstepLanguage

/// How one execution is run: its names, where it pretends to be, whether it keeps a history, and its clock.
public struct ExecutionOptions: Sendable {
    /// The execution's name (`$$.Execution.Name`); a random UUID unless set.
    public var executionName: String?
    /// The state machine's name (`$$.StateMachine.Name`).
    public var stateMachineName = "StateMachine"
    public var region = "us-east-1"
    public var account = "123456789012"
    /// Keep every event for `ExecutionResult.history`.
    public var recordHistory = false
    public var clock = ClockMode.real
    /// Mocked task responses (a test case of a ``MockConfiguration``); states it names call no handler.
    public var mocks: MockedTestCase?
    /// The length of the UTF-8 JSON text the input was parsed from, when known: the 256 KiB input limit is checked
    /// against it, as AWS checks a StartExecution request's input string (``Engine/startExecution(stateMachine:input:inputByteCount:name:onCompletion:)``).
    public var inputByteCount: Int?

    public init() {}
}

extension Program {
    /// Runs one execution to its end on the calling thread and returns its outcome.
    ///
    /// Task states call the handlers in `handlers`; asynchronous handlers may complete from any thread while this
    /// call waits. Waits, retry intervals and timeouts follow `options.clock`.
    public func run(input: JSONValue, handlers: TaskHandlerRegistry = TaskHandlerRegistry(),
                    options: ExecutionOptions = ExecutionOptions()) -> ExecutionResult {
        let host = CallerHost(mode: options.clock)
        let machine = MachineIdentity(stateMachineName: options.stateMachineName, region: options.region, account: options.account,
                                      executionKind: "execution")
        let resources = RunResources(program: self, handlers: handlers, mocks: options.mocks.map { MockPlan($0, program: self) },
                                     tokenBook: nil, machine: machine, host: host)
        let history = options.recordHistory ? History(clock: { [unowned host] in host.now() }) : nil
        let identity = ExecutionIdentity(machine: machine, name: options.executionName, input: input,
                                         startNanoseconds: host.now() * 1_000_000)
        let run = RunState(resources: resources, identity: identity, history: history)
        let scheduler: RunScheduler = run  // the root strand: the run itself
        let root = Execution(root: Unmanaged.passUnretained(run), pc: entry, input: input)
        root.record("ExecutionStarted", ("executionStartedEventDetails", [
            "input": .string(input.compactText), "inputDetails": ["truncated": false], "roleArn": .string(identity.roleArn),
        ]))
        if Limits.inputExceedsLimit(input, byteCount: options.inputByteCount) {
            VM.finish(root, .failure(ExecutionFailure(error: ErrorName.dataLimitExceeded,
                                                      cause: "The execution input exceeds the maximum number of bytes service limit.")))
        } else {
            if let timeoutSeconds {
                scheduler.schedule(after: Int64(timeoutSeconds) * 1000, .executionTimeout)
                // For a loop that never parks, which keeps the timer above from firing (``VM/checkIn(_:_:)``): on the
                // wall clock, whatever the run's clock.
                run.deadline = RunScheduler.wallClockMilliseconds() + Int64(timeoutSeconds) * 1000
            }
            scheduler.enqueue(root)
            host.drive(scheduler)
        }
        run.stopNanoseconds = host.now() * 1_000_000
        return run.result!
    }
}
