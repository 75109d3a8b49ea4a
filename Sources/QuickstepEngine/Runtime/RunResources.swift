/// What a run borrows from its state machine and its engine (or, for ``Program/run(input:handlers:options:)``,
/// from the call): the program, the task handlers, the mocks, the callback-token book and the machine's identity.
/// The engine makes one per registered machine, so a run holds one strong reference to all of them.
///
/// Why: every worker starts and ends executions of the same machine at once, and each strong reference a run takes
/// to a shared object is an atomic write to a cache line every worker writes, once when the run starts and again
/// when it is freed (with 2 workers, such retains were 5 % of pass_chain_10's samples and the releases as many). The
/// run reads them through this object (``RunState/program`` and the others).
final class RunResources: Sendable {
    let program: Program
    let handlers: TaskHandlerRegistry
    let mocks: MockPlan?
    /// Engine runs: where callback tasks' tokens are opened, for Engine.sendTaskSuccess and friends.
    let tokenBook: TaskTokenBook?
    /// What the run's ``ExecutionIdentity`` points at without retaining it.
    let machine: MachineIdentity
    /// ``machine``, for an ``ExecutionIdentity`` to point at: read without a retain.
    let unmanagedMachine: Unmanaged<MachineIdentity>
    /// Fills the object (16-byte header, six references) to 128 bytes, an allocation size class whose objects
    /// start on 128-byte boundaries: the engine makes one per worker one after another, and side by side their
    /// reference counts, written on every start and free, shared lines between workers.
    private let padding: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0, 0, 0, 0)

    init(program: Program, handlers: TaskHandlerRegistry, mocks: MockPlan?, tokenBook: TaskTokenBook?,
         machine: MachineIdentity) {
        self.program = program
        self.handlers = handlers
        self.mocks = mocks
        self.tokenBook = tokenBook
        self.machine = machine
        unmanagedMachine = Unmanaged.passUnretained(machine)
    }
}
