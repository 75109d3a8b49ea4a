import QuickstepJSON
import QuickstepLanguage

/// One VM instruction. Operands are indexes into the ``Program``'s constant pools, resolved at compile time.
///
/// The VM keeps two registers per execution: `rawInput` (the state's input as it arrived) and `value` (the data
/// being processed: effective input, then result, then output). Each state compiles to a short run:
///
/// ```
/// enterState · inputPath · parameters · invokeTask · resultSelector · assign · resultPath · outputPath · exitState · jump
/// ```
/// with the steps a state does not use left out (a Pass with no processing is `enterState · exitState · jump`).
enum Instruction: Sendable, Equatable {
    /// Starts state `n`: history, context, retry counters; `rawInput` = `value`.
    case enterState(Int)
    /// Enters and leaves state `state`, which does nothing in between (a Pass or Succeed without data processing),
    /// and jumps to `next`: the state's `enterState · exitState · jump` in one dispatch instead of three (a Pass
    /// chain spent a quarter of its interpreter time on the indirect jumps). The three stay in place, unreached.
    case passThrough(state: Int32, next: Int32)
    /// As `passThrough` for such a state that ends its graph: enters and leaves it and goes on to the `endGraph`
    /// two instructions on.
    case passThroughToEnd(Int)
    /// Enters and leaves every state of pass-through chain `n` (``Program/passChains``): a run of pass-through
    /// states, each the next one of the one before, in one step when the run keeps no events or times (``VM``'s
    /// `passChain`). Otherwise it does what the first state's own `passThrough` or `passThroughToEnd` does and goes
    /// on to the second, whose instruction stays in place.
    case passChain(Int32)
    /// Enters, runs and leaves merging Pass `n` (``Program/mergingPasses``): a Pass state whose one step (a `Result`,
    /// Parameters or an InputPath) makes a result that its ResultPath merges into its input, in one step when the
    /// run keeps no events or times (``VM``'s `mergingPass`). Otherwise it enters the state, as its own `enterState`
    /// would, and goes on to the state's instructions, which stay in place.
    case mergingPass(Int32)
    /// `value` = `value` at path `n` (InputPath).
    case inputPath(Int)
    /// `value` = `rawInput` at path `n`: the InputPath of a state whose entry moved its input into `rawInput`
    /// (``StateFacts/movesInputToRawInput``).
    case inputPathFromRawInput(Int)
    /// `value` = `{}` (InputPath null).
    case inputNull
    /// `value` = template `n` evaluated on `value` (Parameters).
    case parameters(Int)
    /// `value` = template `n` evaluated on `rawInput`: the Parameters of a state with no InputPath whose entry moved
    /// its input into `rawInput`.
    case parametersFromRawInput(Int)
    /// `value` = constant `n` (Pass `Result`).
    case passResult(Int)
    /// `value` = the result of calling task `n` with `value`; may park the execution.
    case invokeTask(Int)
    /// `value` = template `n` evaluated on `value` (ResultSelector).
    case resultSelector(Int)
    /// Evaluates assignment `n` on `value` and stores the variables.
    case assign(Int)
    /// `value` = `rawInput` with `value` stored at path `n` (ResultPath).
    case resultPath(Int)
    /// As `resultPath`, when nothing after it in the state can fail (no OutputPath follows): `rawInput` is handed
    /// over and edited in place when nothing else holds it.
    case resultPathInPlace(Int)
    /// `value` = `rawInput` (ResultPath null).
    case resultPathNull
    /// `value` = `value` at path `n` (OutputPath).
    case outputPath(Int)
    /// `value` = `{}` (OutputPath null).
    case outputNull
    /// Ends the current state: history.
    case exitState
    /// `exitState` then `jump(n)`, in one dispatch: the `exitState` of a state followed by its jump is replaced by
    /// this, and the jump stays in place, unreached.
    case exitStateAndJump(Int)
    case jump(Int)
    /// The graph (execution, branch or iteration) ends with `value` as its output.
    case endGraph
    /// Enters Choice state `state`, evaluates its Choice `choice` (``choose``), leaves it and jumps to the target
    /// chosen: a Choice state without InputPath or OutputPath, its `enterState · choose · exitState · jumpToChosen`
    /// in one dispatch instead of four. The four stay in place, unreached.
    case choiceState(state: Int32, choice: Int32)
    /// Evaluates Choice `n` on `value`: runs the chosen rule's Assign and remembers its target.
    case choose(Int)
    /// Jumps to the target `choose` picked.
    case jumpToChosen
    /// Waits as Wait `n` says; parks the execution.
    case wait(Int)
    /// Fails as Fail `n` says.
    case fail(Int)
    /// Runs the branches of Parallel `n` on `value`; parks until they finish.
    case parallel(Int)
    /// Runs Map `n` over the items in `value`; parks until the iterations finish.
    case map(Int)
    /// A state Quickstep cannot run yet (JSONata); fails with a clear error.
    case unsupported(Int)
}

/// A compiled state machine: one flat instruction array for the machine and all its branches and item processors,
/// and the constant pools the instructions index.
public final class Program: Sendable {
    let instructions: [Instruction]
    /// ``instructions`` in memory the program owns, which the VM reads without a bounds check: every jump target and
    /// every `pc + 1` the compiler lays out is an instruction (an array's check was three instructions a dispatch).
    nonisolated(unsafe) let code: UnsafeMutableBufferPointer<Instruction>
    /// The constant pools (`program.tables.paths`, `program.tables.templates`, ...) the instructions index.
    let tables: ProgramTables
    /// The program counter where an execution starts.
    let entry: Int
    /// The machine's `TimeoutSeconds`.
    public let timeoutSeconds: Int?
    /// The machine the program was compiled from.
    public let machine: StateMachine
    /// Whether any path reads `$$`, so state entry times are needed.
    let readsContextObject: Bool
    /// ``StateFacts`` of every state, by state index, in memory the program owns.
    ///
    /// Why not an array of the ``CompiledState`` classes: every worker enters states of the same program at once,
    /// and taking a class instance out of an array retains and releases it, an atomic write to a cache line all
    /// workers share (measured: retain and release were 48 % of pass_chain_10's samples with 2 workers, 25 % with
    /// one). Reading a plain struct through a pointer touches no reference count.
    nonisolated(unsafe) let stateFacts: UnsafeMutableBufferPointer<StateFacts>
    /// Every Choice state's rules as flat code (``ChoiceCode``), by the index its `choose` instruction names, in
    /// memory the program owns for the same reason.
    nonisolated(unsafe) let choiceCode: UnsafeMutableBufferPointer<ChoiceCode>
    /// Every Task state's ``CompiledTask``, by the index its `invokeTask` instruction names, in memory the program
    /// owns: an invocation reads the fields it needs in place (copying the struct out of the array retained its
    /// resource's strings, the retains and their releases 6 % of order_processing's samples).
    nonisolated(unsafe) let tasks: UnsafeMutableBufferPointer<CompiledTask>
    /// Every Parallel and Map state's description, in memory the program owns for the same reason (copying one out
    /// retained its arrays and paths once per state entered, on a line every worker shares).
    nonisolated(unsafe) let parallels: UnsafeMutableBufferPointer<CompiledParallel>
    nonisolated(unsafe) let maps: UnsafeMutableBufferPointer<CompiledMap>
    /// The templates (Parameters, ResultSelector, ItemSelector) and the paths (InputPath, ResultPath, OutputPath)
    /// the instructions name, in memory the program owns, evaluated in place (``Execution/evaluate(_:data:)``):
    /// taking one out of its array copied every part of it, a retain and a release each, per evaluation.
    nonisolated(unsafe) let templates: UnsafeMutableBufferPointer<CompiledTemplate>
    /// The `Assign` templates, by the index an `assign` instruction or a Choice branch names, in place likewise.
    nonisolated(unsafe) let assignments: UnsafeMutableBufferPointer<CompiledTemplate>
    nonisolated(unsafe) let paths: UnsafeMutableBufferPointer<JSONPath>
    /// The pass-through chains the `passChain` instructions name, in memory the program owns.
    nonisolated(unsafe) let passChains: UnsafeMutableBufferPointer<PassChain>
    /// The merging Pass states (``Instruction/mergingPass(_:)``), in memory the program owns.
    nonisolated(unsafe) let mergingPasses: UnsafeMutableBufferPointer<MergingPass>

    init(tables: ProgramTables, entry: Int, machine: StateMachine) {
        instructions = tables.instructions
        code = .owned(copying: tables.instructions)
        self.tables = tables
        readsContextObject = tables.readsContextObject
        self.entry = entry
        timeoutSeconds = machine.timeoutSeconds
        self.machine = machine
        stateFacts = .owned(copying: tables.states.map(StateFacts.init))
        choiceCode = .owned(copying: tables.choices.map(ChoiceCode.init))
        tasks = .owned(copying: tables.tasks)
        parallels = .owned(copying: tables.parallels)
        maps = .owned(copying: tables.maps)
        templates = .owned(copying: tables.templates.map { $0.withCode() })
        assignments = .owned(copying: tables.assignments.map { $0.withCode() })
        paths = .owned(copying: tables.paths)
        passChains = .owned(copying: tables.passChains)
        mergingPasses = .owned(copying: tables.mergingPasses)
    }

    deinit {
        stateFacts.freeOwned()
        for code in choiceCode { code.deallocate() }
        choiceCode.freeOwned()
        tasks.freeOwned()
        parallels.freeOwned()
        maps.freeOwned()
        for template in templates { template.code?.deallocate() }
        templates.freeOwned()
        for assignment in assignments { assignment.code?.deallocate() }
        assignments.freeOwned()
        paths.freeOwned()
        passChains.freeOwned()
        code.freeOwned()
        mergingPasses.freeOwned()
    }
}

/// A run of pass-through states (Pass or Succeed states without data processing), each entered from the one before
/// it: what a `passChain` instruction needs to go through all of them at once, or through the first alone.
/// A Pass state that merges a result into its input (``Instruction/mergingPass(_:)``): entered with its input moved
/// into its raw input (``CompiledState/movesInputToRawInput``), one step makes the result, the ResultPath merges it
/// in place, and the state goes on to `next`.
struct MergingPass: Equatable {
    /// How the result is made.
    enum Step: Equatable {
        /// `Result`: constant `n`.
        case result(Int32)
        /// Parameters: template `n`, evaluated on the raw input.
        case parameters(Int32)
        /// InputPath: path `n`, selected from the raw input.
        case inputPath(Int32)
        /// Parameters: object template `n`, evaluated on the raw input and stored by a ResultPath of one member,
        /// into the object there when it can take the members (``Execution/evaluateObject(_:storingAt:in:)``).
        case objectIntoMember(Int32)
    }

    let state: Int32
    let step: Step
    /// The ResultPath: path `n`.
    let resultPath: Int32
    /// The next state's instruction.
    let next: Int32
}

struct PassChain: Equatable {
    /// The first state, and where its own instruction goes on (the second state's instruction).
    let first: Int32
    let afterFirst: Int32
    /// How many states the chain goes through.
    let count: Int32
    /// The last state, the one the execution is in when the chain is done.
    let last: Int32
    /// Where the chain goes on: the instruction after the last state (an `endGraph` when it ends its graph).
    let exit: Int32
}

/// What the VM checks about a state on every entry, with no references in it (see ``Program/stateFacts``).
struct StateFacts {
    /// A `.waitForTaskToken` Task: each attempt gets a task token.
    let issuesTaskToken: Bool
    /// A Task, Parallel or Map: `$$.State.RetryCount` exists (conformance: a Pass's `$$.State` has none).
    let canRetry: Bool
    /// The state reads its raw input after entry (``CompiledState/needsRawInput``).
    let needsRawInput: Bool
    /// Entering the state moves its input into `rawInput` instead of copying it (``CompiledState/movesInputToRawInput``).
    let movesInputToRawInput: Bool

    init(_ state: CompiledState) {
        issuesTaskToken = state.issuesTaskToken
        canRetry = ["Task", "Parallel", "Map"].contains(state.typeName)
        needsRawInput = state.needsRawInput
        movesInputToRawInput = state.movesInputToRawInput
    }
}

/// What the VM needs about a state beyond its instructions: its name, error tables, and where retries restart.
/// Thread safety: a class so that the VM, which reads a state's fields on every transition, retains one object
/// instead of copying (and retaining) every field; its fields are set while compiling and never change once the
/// ``Program`` exists.
final class CompiledState: @unchecked Sendable {
    let name: String
    let typeName: String
    /// The `enterState` instruction.
    let entryPC: Int
    /// Where a retry restarts (just after `enterState`).
    let retryPC: Int
    var retriers: [Retrier]
    var catchers: [CompiledCatcher]
    /// A `.waitForTaskToken` Task: each attempt gets a task token (`$$.Task.Token`).
    var issuesTaskToken = false
    /// Whether anything after `enterState` reads the state's raw input (ResultPath, retries, Catch, Fail's paths):
    /// only then does entering the state keep it.
    var needsRawInput = true
    /// Whether entering the state moves its input into `rawInput` (leaving `value` empty) rather than copying it:
    /// when the state needs its raw input and its first step replaces `value` without reading it (a Pass `Result`,
    /// InputPath null) or reads it from `rawInput` (``Instruction/inputPathFromRawInput(_:)``,
    /// ``Instruction/parametersFromRawInput(_:)``). The copy was a retain and a release of the input's container per
    /// state: a pair of atomic writes, 80 instructions with the calls, on every Pass or Task with a ResultPath.
    var movesInputToRawInput = false

    init(name: String, typeName: String, entryPC: Int, retryPC: Int, retriers: [Retrier], catchers: [CompiledCatcher]) {
        self.name = name
        self.typeName = typeName
        self.entryPC = entryPC
        self.retryPC = retryPC
        self.retriers = retriers
        self.catchers = catchers
    }
}

/// A Catch entry: what it matches, and where its handler code starts (ResultPath, Assign, exitState, jump).
struct CompiledCatcher: Sendable {
    var errorEquals: [String]
    var handlerPC: Int
}

/// A payload template with the name of the field it came from, for error causes.
struct CompiledTemplate: @unchecked Sendable {
    var template: PayloadTemplate
    var field: String
    /// The template as code, made by the ``Program`` that owns this copy (nil in the compiler's tables).
    var code: TemplateCode?

    init(template: PayloadTemplate, field: String) {
        self.template = template
        self.field = field
    }

    /// This template with its code made, for a program's own table; the program frees the code.
    func withCode() -> CompiledTemplate {
        var copy = self
        copy.code = TemplateCode(template)
        return copy
    }
}

struct CompiledChoice: Sendable {
    var rules: [ChoiceRule]
    var targets: [Int]
    var assignments: [Int?]
    var defaultTarget: Int?
    var defaultAssignment: Int?
}

struct CompiledTask: Sendable {
    let resource: TaskResource
    let timeoutSeconds: DynamicValue<Int>?
    let heartbeatSeconds: DynamicValue<Int>?
    /// `arn:aws:states:::lambda:invoke`: the target comes from `FunctionName`, the result is wrapped as an Invoke
    /// response. Decided here, so an invocation compares no strings.
    let isLambdaInvoke: Bool
    /// `.waitForTaskToken`: the result is what `SendTaskSuccess` sends.
    let waitsForToken: Bool
    /// Whether `TimeoutSeconds` or `HeartbeatSeconds` is set, so that a task with neither copies neither (copying
    /// an optional `DynamicValue` goes through generic value witnesses: 3 % of order_processing's samples).
    let hasTimeouts: Bool
    /// Whether the result is remembered as checked against the payload limit (``Execution/checkedResult``): only
    /// where something may check it again unchanged (``Compiler/resultMayBeCheckedAgain(after:kinds:)``).
    let keepsCheckedResult: Bool

    init(resource: TaskResource, timeoutSeconds: DynamicValue<Int>?, heartbeatSeconds: DynamicValue<Int>?,
         keepsCheckedResult: Bool) {
        self.keepsCheckedResult = keepsCheckedResult
        self.resource = resource
        self.timeoutSeconds = timeoutSeconds
        self.heartbeatSeconds = heartbeatSeconds
        isLambdaInvoke = resource.kind == .serviceIntegration(service: "lambda", action: "invoke")
        waitsForToken = resource.pattern == .waitForTaskToken
        hasTimeouts = timeoutSeconds != nil || heartbeatSeconds != nil
    }
}

struct CompiledParallel: Sendable {
    /// The entry program counter of each branch.
    var branchEntries: [Int]
    /// Every branch has only Pass, Choice, Succeed and Fail states: no branch can park, so the branches may run one
    /// after another on one reused graph object, as a Map's iterations (``CompiledMap/processorRunsInline``).
    var branchesRunInline = false
}

struct CompiledMap: Sendable {
    var processorEntry: Int
    /// The item processor has only Pass, Choice, Succeed and Fail states: an iteration can never park, so the
    /// iterations may run one after another on one reused graph object (``VM`` `runIterationsInline`).
    var processorRunsInline = false
    var itemsPath: JSONPath
    var itemSelector: Int?
    var maxConcurrency: DynamicValue<Int>?
    var toleratedFailureCount: DynamicValue<Int>?
    var toleratedFailurePercentage: DynamicValue<Double>?
    /// Whether MaxConcurrency or a tolerated failure threshold is set, so that a Map with none reads none (copying an
    /// optional `DynamicValue` goes through generic value witnesses).
    var hasSettings = false
}
