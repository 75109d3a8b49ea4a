import QuickstepJSON
import QuickstepLanguage

/// The instruction array and the constant pools of a program, filled in by the compiler.
struct ProgramTables: Sendable {
    var instructions: [Instruction] = []
    var states: [CompiledState] = []
    var paths: [JSONPath] = []
    var templates: [CompiledTemplate] = []
    var constants: [JSONValue] = []
    var choices: [CompiledChoice] = []
    var waits: [WaitState.Duration] = []
    var fails: [FailState] = []
    var tasks: [CompiledTask] = []
    var parallels: [CompiledParallel] = []
    var maps: [CompiledMap] = []
    var assignments: [CompiledTemplate] = []
    var messages: [String] = []
    var passChains: [PassChain] = []
    var mergingPasses: [MergingPass] = []

    mutating func add<T>(_ element: T, to pool: WritableKeyPath<ProgramTables, [T]>) -> Int {
        self[keyPath: pool].append(element)
        return self[keyPath: pool].count - 1
    }

    mutating func emit(_ instruction: Instruction) {
        instructions.append(instruction)
    }
}

extension Program {
    /// Compiles a validated state machine. Nothing is parsed here: the model holds every path and template parsed.
    public convenience init(_ machine: StateMachine) {
        var compiler = Compiler()
        let entry = compiler.compile(machine.graph)
        compiler.fuseInstructions()
        self.init(tables: compiler.builder, entry: entry, machine: machine)
    }

    /// The same program, compiled again from its definition parsed again (from a ``JSONValue/deepCopy()`` of it):
    /// a program that shares no storage with `program`. The engine gives each worker one of its own, so that the
    /// reference counts of the paths, templates and constants executions copy are written by one worker only (one
    /// program shared by all put them on lines every worker wrote).
    convenience init(copying program: Program) {
        let definition = program.machine.definition.deepCopy()
        // The definition was loaded once already, so it loads again; should it not, the copy shares the model.
        self.init((try? StateMachine(definition: definition)) ?? program.machine)
    }
}

/// Lowers a ``StateMachine`` to instructions, graph by graph; jump targets are patched once every state of a
/// graph has its address.
struct Compiler {
    var builder = ProgramTables()

    /// Replaces common sequences by one instruction that does what they do, each at the address of the first, the
    /// rest left in place (unreached from there, still right for anything that jumps to them): the entry of a state
    /// that does nothing between entering and leaving (``Instruction/passThrough(state:next:)``), of a Choice state
    /// without InputPath or OutputPath (``Instruction/choiceState(state:choice:)``), of a Pass state that merges its
    /// result into its input (``Instruction/mergingPass(_:)``), and every state's exit followed by its jump
    /// (``Instruction/exitStateAndJump(_:)``). Run once every jump has its target; no address changes.
    mutating func fuseInstructions() {
        let code = builder.instructions
        for pc in code.indices.dropLast(2) {
            guard case .enterState(let state) = code[pc] else { continue }
            switch (code[pc + 1], code[pc + 2]) {
            // A state that does nothing between entering and leaving never reads its raw input (``VM/pass`` relies
            // on it); the condition holds by construction and is checked here so that it stays true.
            case (.exitState, .jump(let next)) where !builder.states[state].needsRawInput:
                builder.instructions[pc] = .passThrough(state: Int32(state), next: Int32(next))
            case (.exitState, .endGraph) where !builder.states[state].needsRawInput:
                builder.instructions[pc] = .passThroughToEnd(state)
            case (.choose(let choice), .exitState) where pc + 3 < code.count && code[pc + 3] == .jumpToChosen:
                builder.instructions[pc] = .choiceState(state: Int32(state), choice: Int32(choice))
            default:
                if let pass = mergingPass(in: code, at: pc, state: state) {
                    builder.instructions[pc] = .mergingPass(Int32(builder.add(pass, to: \.mergingPasses)))
                }
            }
        }
        for pc in code.indices.dropLast() {
            if code[pc] == .exitState, case .jump(let next) = code[pc + 1] {
                builder.instructions[pc] = .exitStateAndJump(next)
            }
        }
        fusePassChains()
    }

    /// The merging Pass that starts with the `enterState` at `pc` (``Instruction/mergingPass(_:)``), if it is one:
    /// a Pass state that moves its input into its raw input, makes its result in one step, merges it with a
    /// ResultPath in place and jumps to the next state (no Assign, no OutputPath; a Pass has no Retry or Catch).
    private func mergingPass(in code: [Instruction], at pc: Int, state: Int) -> MergingPass? {
        guard builder.states[state].movesInputToRawInput, builder.states[state].typeName == "Pass", pc + 4 < code.count,
              case .resultPathInPlace(let resultPath) = code[pc + 2], code[pc + 3] == .exitState,
              case .jump(let next) = code[pc + 4]
        else { return nil }
        let step: MergingPass.Step
        switch code[pc + 1] {
        case .passResult(let constant): step = .result(Int32(constant))
        case .parametersFromRawInput(let template):
            let steps = builder.paths[resultPath].steps
            if case .object = builder.templates[template].template, steps.count == 1, steps[0].isMember {
                step = .objectIntoMember(Int32(template))
            } else {
                step = .parameters(Int32(template))
            }
        case .inputPathFromRawInput(let path): step = .inputPath(Int32(path))
        default: return nil
        }
        return MergingPass(state: Int32(state), step: step, resultPath: Int32(resultPath), next: Int32(next))
    }

    /// The longest chain one `passChain` goes through: a longer run of pass-through states is several chains.
    static let longestPassChain = 64

    /// Replaces each pass-through state whose next state is one too by a `passChain` through the run from it
    /// (``Instruction/passChain(_:)``): in a run that keeps no events or times, states that do nothing only count
    /// themselves and take their event ids, so a run of them is one step (a Pass chain's ten states took 850
    /// instructions as ten steps, a Map item's three 250). A chain stops before a state it already went through (a
    /// loop of Pass states is chains one after another) and after ``longestPassChain`` states.
    private mutating func fusePassChains() {
        let code = builder.instructions
        for pc in code.indices {
            guard let (first, afterFirst) = Self.passStep(code, at: pc) else { continue }
            var visited: Set<Int32> = [first]
            var count: Int32 = 1
            var (last, exit) = (first, afterFirst)
            while count < Self.longestPassChain, let (state, next) = Self.passStep(code, at: Int(exit)), visited.insert(state).inserted {
                count += 1
                (last, exit) = (state, next)
            }
            guard count > 1 else { continue }
            let chain = PassChain(first: first, afterFirst: afterFirst, count: count, last: last, exit: exit)
            builder.instructions[pc] = .passChain(Int32(builder.add(chain, to: \.passChains)))
        }
    }

    /// The state a pass-through instruction at `pc` goes through and where it goes on, if it is one.
    private static func passStep(_ code: [Instruction], at pc: Int) -> (state: Int32, next: Int32)? {
        switch code[pc] {
        case .passThrough(let state, let next): (state, next)
        case .passThroughToEnd(let state): (Int32(state), Int32(pc + 2))
        default: nil
        }
    }

    /// Compiles a graph and returns the program counter of its `StartAt` state.
    mutating func compile(_ graph: StateGraph) -> Int {
        var addresses: [String: Int] = [:]
        // Jumps to patch: (instruction position, target name).
        var pendingJumps: [(Int, String)] = []
        var pendingChoices: [(Int, ChoiceState)] = []
        var pendingCatchers: [(state: Int, catcher: Int, name: String)] = []

        let kinds = Dictionary(graph.states.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first })
        for state in graph.states {
            addresses[state.name] = builder.instructions.count
            compileState(state, resultMayBeCheckedAgain: Self.resultMayBeCheckedAgain(after: state, kinds: kinds),
                         pendingJumps: &pendingJumps, pendingChoices: &pendingChoices, pendingCatchers: &pendingCatchers)
        }
        for (position, name) in pendingJumps { builder.instructions[position] = .jump(addresses[name]!) }
        for (index, choice) in pendingChoices {
            builder.choices[index].targets = choice.choices.map { addresses[$0.next]! }
            builder.choices[index].defaultTarget = choice.defaultState.map { addresses[$0]! }
        }
        for pending in pendingCatchers {
            let handler = builder.states[pending.state].catchers[pending.catcher].handlerPC
            // The handler's last instruction is the jump to the catcher's Next.
            var position = handler
            while builder.instructions[position] != .jump(-1) { position += 1 }
            builder.instructions[position] = .jump(addresses[pending.name]!)
        }
        return addresses[graph.startAt]!
    }

    /// Whether a state's result may later be checked against the payload limit as it is, so that remembering it as
    /// checked (``Execution/checkedResult``) can spare a walk: the state ends its graph, or goes on to a Succeed
    /// state (whose output it may be) or a Map state (whose input it may be). Elsewhere the result is replaced
    /// before anything checks it, and remembering it was a retain and a release per task.
    static func resultMayBeCheckedAgain(after state: State, kinds: [String: State.Kind]) -> Bool {
        switch state.transition {
        case .end?: return true
        case .next(let name)?:
            switch kinds[name] {
            case .succeed?, .map?: return true
            default: return false
            }
        case nil: return false
        }
    }

    private mutating func compileState(
        _ state: State, resultMayBeCheckedAgain: Bool, pendingJumps: inout [(Int, String)], pendingChoices: inout [(Int, ChoiceState)],
        pendingCatchers: inout [(state: Int, catcher: Int, name: String)]
    ) {
        let stateIndex = builder.states.count
        let entryPC = builder.instructions.count
        builder.states.append(CompiledState(name: state.name, typeName: state.typeName, entryPC: entryPC,
                                            retryPC: entryPC + 1, retriers: [], catchers: []))
        builder.emit(.enterState(stateIndex))
        builder.states[stateIndex].needsRawInput = Self.needsRawInput(state.kind)
        defer { moveInputToRawInputOnEntry(state: stateIndex, firstStep: entryPC + 1) }
        if state.queryLanguage == .jsonata {
            let message = builder.add("The state '\(state.name)' uses JSONata, which Quickstep does not evaluate yet", to: \.messages)
            builder.emit(.unsupported(message))
            return
        }

        func transition(_ transition: Transition) {
            builder.emit(.exitState)
            switch transition {
            case .end: builder.emit(.endGraph)
            case .next(let name):
                pendingJumps.append((builder.instructions.count, name))
                builder.emit(.jump(-1))
            }
        }

        switch state.kind {
        case .pass(let pass):
            emitInput(pass.dataProcessing, parameters: true)
            if let result = pass.result { builder.emit(.passResult(builder.add(result, to: \.constants))) }
            emitAssign(pass.dataProcessing)
            emitResultAndOutput(pass.dataProcessing)
            transition(pass.transition)
        case .task(let task):
            builder.states[stateIndex].issuesTaskToken = task.resource.pattern == .waitForTaskToken
            emitInput(task.dataProcessing, parameters: true)
            let taskIndex = builder.add(CompiledTask(resource: task.resource, timeoutSeconds: task.timeoutSeconds,
                                                     heartbeatSeconds: task.heartbeatSeconds,
                                                     keepsCheckedResult: resultMayBeCheckedAgain), to: \.tasks)
            builder.emit(.invokeTask(taskIndex))
            emitResultSelector(task.dataProcessing)
            emitAssign(task.dataProcessing)
            emitResultAndOutput(task.dataProcessing)
            transition(task.transition)
            emitErrorHandling(task.errorHandling, state: stateIndex, pendingCatchers: &pendingCatchers)
        case .choice(let choice):
            emitInput(choice.dataProcessing, parameters: false)
            let index = builder.add(CompiledChoice(
                rules: choice.choices.map(\.rule), targets: [], assignments: choice.choices.map { branch in branch.assign.flatMap { assignmentIndex($0) } },
                defaultTarget: nil, defaultAssignment: choice.dataProcessing.assign.flatMap { assignmentIndex($0) }), to: \.choices)
            pendingChoices.append((index, choice))
            builder.emit(.choose(index))
            emitOutput(choice.dataProcessing)
            builder.emit(.exitState)
            builder.emit(.jumpToChosen)
        case .wait(let wait):
            emitInput(wait.dataProcessing, parameters: false)
            builder.emit(.wait(builder.add(wait.duration, to: \.waits)))
            emitAssign(wait.dataProcessing)
            emitOutput(wait.dataProcessing)
            transition(wait.transition)
        case .succeed(let succeed):
            emitInput(succeed.dataProcessing, parameters: false)
            emitOutput(succeed.dataProcessing)
            builder.emit(.exitState)
            builder.emit(.endGraph)
        case .fail(let fail):
            builder.emit(.fail(builder.add(fail, to: \.fails)))
        case .parallel(let parallel):
            emitInput(parallel.dataProcessing, parameters: true)
            let index = builder.add(CompiledParallel(branchEntries: []), to: \.parallels)
            builder.emit(.parallel(index))
            emitResultSelector(parallel.dataProcessing)
            emitAssign(parallel.dataProcessing)
            emitResultAndOutput(parallel.dataProcessing)
            transition(parallel.transition)
            emitErrorHandling(parallel.errorHandling, state: stateIndex, pendingCatchers: &pendingCatchers)
            builder.parallels[index].branchEntries = parallel.branches.map { compile($0) }
            builder.parallels[index].branchesRunInline = parallel.branches.allSatisfy(Self.cannotPark)
        case .map(let map):
            emitInput(map.dataProcessing, parameters: false)
            var selector: Int?
            if case .jsonPath(let template)? = map.itemSelector {
                selector = builder.add(CompiledTemplate(template: template, field: "ItemSelector"), to: \.templates)
            }
            let index = builder.add(CompiledMap(
                processorEntry: -1, itemsPath: map.itemsPath, itemSelector: selector, maxConcurrency: map.maxConcurrency,
                toleratedFailureCount: map.toleratedFailureCount, toleratedFailurePercentage: map.toleratedFailurePercentage),
                to: \.maps)
            builder.emit(.map(index))
            emitResultSelector(map.dataProcessing)
            emitAssign(map.dataProcessing)
            emitResultAndOutput(map.dataProcessing)
            transition(map.transition)
            emitErrorHandling(map.errorHandling, state: stateIndex, pendingCatchers: &pendingCatchers)
            builder.maps[index].processorEntry = compile(map.processor)
            builder.maps[index].processorRunsInline = Self.cannotPark(map.processor)
            builder.maps[index].hasSettings = map.maxConcurrency != nil || map.toleratedFailureCount != nil
                || map.toleratedFailurePercentage != nil
        }
    }

    /// Whether a run of `graph` can never park: it has only Pass, Choice, Succeed and Fail states (no task, wait,
    /// retry interval or join to wait for).
    private static func cannotPark(_ graph: StateGraph) -> Bool {
        graph.states.allSatisfy { state in
            switch state.kind {
            case .pass, .choice, .succeed, .fail: return state.queryLanguage != .jsonata
            case .task, .wait, .parallel, .map: return false
            }
        }
    }

    /// Makes entering the state move its input into `rawInput` when its first step allows (see
    /// ``CompiledState/movesInputToRawInput``), reading it from there.
    private mutating func moveInputToRawInputOnEntry(state: Int, firstStep: Int) {
        guard builder.states[state].needsRawInput, firstStep < builder.instructions.count else { return }
        switch builder.instructions[firstStep] {
        case .inputPath(let path): builder.instructions[firstStep] = .inputPathFromRawInput(path)
        case .parameters(let template): builder.instructions[firstStep] = .parametersFromRawInput(template)
        case .passResult, .inputNull: break
        default: return
        }
        builder.states[state].movesInputToRawInput = true
    }

    private mutating func emitInput(_ processing: DataProcessing, parameters: Bool) {
        switch processing.inputPath {
        case .null: builder.emit(.inputNull)
        case .path(let path) where !path.segments.isEmpty || path.root != .input:
            builder.emit(.inputPath(builder.add(path, to: \.paths)))
        case .path: break
        }
        if parameters, let template = processing.parameters {
            builder.emit(.parameters(builder.add(CompiledTemplate(template: template, field: "Parameters"), to: \.templates)))
        }
    }

    private mutating func emitResultSelector(_ processing: DataProcessing) {
        if let template = processing.resultSelector {
            builder.emit(.resultSelector(builder.add(CompiledTemplate(template: template, field: "ResultSelector"), to: \.templates)))
        }
    }

    private mutating func emitAssign(_ processing: DataProcessing) {
        if let index = processing.assign.flatMap({ assignmentIndex($0) }) { builder.emit(.assign(index)) }
    }

    private mutating func assignmentIndex(_ assignment: Assignment) -> Int? {
        guard case .jsonPath(let template) = assignment else { return nil }
        return builder.add(CompiledTemplate(template: template, field: "Assign"), to: \.assignments)
    }

    private mutating func emitResultAndOutput(_ processing: DataProcessing) {
        emitResultPath(processing.resultPath, outputFollows: outputPathMayFail(processing))
        emitOutput(processing)
    }

    /// Whether a state of this kind reads its raw input after its first step: a ResultPath that is not `$` merges
    /// into it; a Task, Parallel or Map also restores it to retry and hands it to a Catch's ResultPath, and reads
    /// its `*SecondsPath`s from it; a Fail reads its ErrorPath and CausePath from it. A Pass without ResultPath, a
    /// Choice, Wait or Succeed never does, so entering one need not keep it (a retain and a release per state).
    ///
    /// A Task, Parallel or Map reads it only for what it has: a ResultPath other than `$`, a Retry (which restores
    /// it), a Catch whose ResultPath is not `$`, or (a Task) a `*SecondsPath`; a Map's `*Path` settings are read
    /// from its effective input. Most have none of these, and keeping their raw input was a copy and a release per
    /// state (order_processing: 4 of its 5 tasks; every parallel_4x3 and map_100x3 execution).
    private static func needsRawInput(_ kind: State.Kind) -> Bool {
        switch kind {
        case .pass(let pass):
            return !replacesInput(pass.dataProcessing.resultPath)
        case .task(let task):
            return readsRawInput(task.dataProcessing, task.errorHandling)
                || !isConstantOrAbsent(task.timeoutSeconds) || !isConstantOrAbsent(task.heartbeatSeconds)
        case .parallel(let parallel):
            return readsRawInput(parallel.dataProcessing, parallel.errorHandling)
        case .map(let map):
            return readsRawInput(map.dataProcessing, map.errorHandling)
        case .fail: return true
        case .choice, .wait, .succeed: return false
        }
    }

    /// Whether a state with a result and error handling reads its raw input after its first step: to merge its
    /// result into it, to retry from it, or to merge a caught error into it.
    private static func readsRawInput(_ dataProcessing: DataProcessing, _ handling: ErrorHandling) -> Bool {
        !replacesInput(dataProcessing.resultPath) || !handling.retriers.isEmpty
            || handling.catchers.contains { !replacesInput($0.resultPath) }
    }

    /// Whether a ResultPath is `$` (the default): the result replaces the raw input instead of going into it.
    private static func replacesInput(_ resultPath: OptionalPath) -> Bool {
        if case .path(let path) = resultPath, path.segments.isEmpty { return true }
        return false
    }

    private static func isConstantOrAbsent(_ value: DynamicValue<Int>?) -> Bool {
        switch value {
        case nil, .constant?: true
        case .path?, .intrinsic?, .expression?: false
        }
    }

    /// `outputFollows`: an OutputPath that can fail comes next, and a Catch then needs the raw input again.
    private mutating func emitResultPath(_ resultPath: OptionalPath, outputFollows: Bool) {
        switch resultPath {
        case .null: builder.emit(.resultPathNull)
        case .path(let path) where !path.segments.isEmpty:
            let index = builder.add(path, to: \.paths)
            builder.emit(outputFollows ? .resultPath(index) : .resultPathInPlace(index))
        case .path: break  // `$`: the output is the result itself
        }
    }

    /// Whether ``emitOutput(_:)`` emits a path lookup (which fails when the path matches nothing).
    private func outputPathMayFail(_ processing: DataProcessing) -> Bool {
        switch processing.outputPath {
        case .null: return false
        case .path(let path): return !path.segments.isEmpty || path.root != .input
        }
    }

    private mutating func emitOutput(_ processing: DataProcessing) {
        switch processing.outputPath {
        case .null: builder.emit(.outputNull)
        case .path(let path) where !path.segments.isEmpty || path.root != .input:
            builder.emit(.outputPath(builder.add(path, to: \.paths)))
        case .path: break
        }
    }

    /// Retriers go in the state's table; each catcher gets a handler: ResultPath into the raw input, its Assign,
    /// exitState, and a jump patched to its Next.
    private mutating func emitErrorHandling(
        _ handling: ErrorHandling, state: Int, pendingCatchers: inout [(state: Int, catcher: Int, name: String)]
    ) {
        builder.states[state].retriers = handling.retriers
        for (position, catcher) in handling.catchers.enumerated() {
            let handlerPC = builder.instructions.count
            if let index = catcher.assign.flatMap({ assignmentIndex($0) }) { builder.emit(.assign(index)) }
            emitResultPath(catcher.resultPath, outputFollows: false)
            builder.emit(.exitState)
            builder.emit(.jump(-1))
            builder.states[state].catchers.append(CompiledCatcher(errorEquals: catcher.errorEquals, handlerPC: handlerPC))
            pendingCatchers.append((state, position, catcher.next))
        }
    }
}
