/// What a run borrows from its state machine and its engine (or, for ``Program/run(input:handlers:options:)``,
/// from the call): the program, the task handlers, the mocks, the callback-token book, the machine's identity and
/// the host its strands run on. The engine makes one per registered machine and counters stripe (each with that
/// stripe's host), so a run holds one strong reference to all of them.
///
/// Why: every worker starts and ends executions of the same machine at once, and each strong reference a run takes
/// to a shared object is an atomic write to a cache line every worker writes, once when the run starts and again
/// when it is freed (with 2 workers, such retains were 5 % of pass_chain_10's samples and the releases as many). The
/// run reads them through this object (``RunState/program`` and the others).
final class RunResources: Sendable {
    let program: Program
    let handlers: TaskHandlerRegistry
    let mocks: MockPlan?
    /// ``mocks``, for a task to read borrowed (see ``VM``'s `mockedResponse`).
    let unmanagedMocks: Unmanaged<MockPlan>?
    /// Engine runs: where callback tasks' tokens are opened, for Engine.sendTaskSuccess and friends.
    let tokenBook: TaskTokenBook?
    /// What the run's ``ExecutionIdentity`` points at without retaining it.
    let machine: MachineIdentity
    /// ``machine``, for an ``ExecutionIdentity`` to point at: read without a retain.
    let unmanagedMachine: Unmanaged<MachineIdentity>
    /// Where the run's timers go and how its strands are woken (``RunScheduler``): held here rather than by each
    /// run, which saved a retain and a release per execution and 16 bytes per strand.
    let host: RunHost
    /// ``host``, for calls that read it borrowed (``withHost(_:)``): a call on the `let` itself copied the reference
    /// first, a retain and a release per call.
    private let unmanagedHost: Unmanaged<RunHost>

    /// Calls `body` with the host, borrowed.
    @inline(__always)
    func withHost<Result>(_ body: (RunHost) throws -> Result) rethrows -> Result {
        try unmanagedHost._withUnsafeGuaranteedRef(body)
    }
    /// Fills the object (16-byte header, nine references) to 128 bytes, an allocation size class
    /// whose objects start on 128-byte boundaries: the engine makes one per worker one after another, and side by
    /// side their reference counts, written on every start and free, shared lines between workers.
    private let padding: (Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0)

    init(program: Program, handlers: TaskHandlerRegistry, mocks: MockPlan?, tokenBook: TaskTokenBook?,
         machine: MachineIdentity, host: RunHost) {
        self.host = host
        unmanagedHost = Unmanaged.passUnretained(host)
        self.program = program
        self.handlers = handlers
        self.mocks = mocks
        unmanagedMocks = mocks.map { Unmanaged.passUnretained($0) }
        self.tokenBook = tokenBook
        self.machine = machine
        unmanagedMachine = Unmanaged.passUnretained(machine)
    }
}
