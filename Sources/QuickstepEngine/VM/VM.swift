import QuickstepJSON
import QuickstepLanguage

/// The interpreter loop: runs one execution until it ends or parks.
///
/// State lives in the ``Execution`` (program counter and registers), never on the Swift stack, so an execution
/// parks by returning and resumes by being run again. Errors are typed (`ExecutionFailure`) values; Retry and Catch
/// are looked up in the current state's tables.
enum VM {
    static func run(_ execution: Execution) {
        guard !execution.finished else { return }
        if execution.isCancelled {
            execution.finished = true
            return
        }
        if let failure = execution.pendingFailure {
            execution.pendingFailure = nil
            guard handle(failure, in: execution) else { return }
        }
        // The program outlives every run of it (the run's resources hold it), so the loop borrows it: a local copy
        // of the reference was retained and released on every call, a write to a line every worker shares, and a
        // Map's inline iterations make a call per item.
        Unmanaged.passUnretained(execution.run.program)._withUnsafeGuaranteedRef { program in
            interpret(execution, program)
        }
    }

    /// Runs instructions of `program` from `execution.pc` until the execution ends or parks.
    ///
    /// A jump to the same or an earlier instruction may be a loop's turn (states are laid out in order, so every
    /// loop has one); those go through ``loopedBack(_:)``, which now and then lets the run's timeout, its end or
    /// its inbox stop the loop.
    private static func interpret(_ execution: Execution, _ program: Program) {
        while true {
            let pc = execution.pc
            do throws(ExecutionFailure) {
                switch program.code.baseAddress.unsafelyUnwrapped[pc] {
                case .enterState(let state):
                    enter(state, execution, program)
                    execution.pc += 1
                case .passThrough(let state, let next):
                    pass(Int(state), execution, program)
                    execution.pc = Int(next)
                    if Int(next) <= pc && loopedBack(execution) { return }
                case .passThroughToEnd(let state):
                    pass(state, execution, program)
                    execution.pc += 2
                case .passChain(let chain):
                    execution.pc = passChain(program.passChains.baseAddress! + Int(chain), execution, program)
                    if execution.pc <= pc && loopedBack(execution) { return }
                case .mergingPass(let index):
                    let pass = UnsafePointer(program.mergingPasses.baseAddress.unsafelyUnwrapped + Int(index))
                    guard goesQuietly(execution) else {
                        // The state's own instructions follow: entered here, it goes on through them.
                        enter(Int(pass.pointee.state), execution, program)
                        execution.pc += 1
                        continue
                    }
                    try goQuietly(through: pass, execution, program)
                    execution.pc = Int(pass.pointee.next)
                    if execution.pc <= pc && loopedBack(execution) { return }
                case .inputPath(let path):
                    try replaceValue(of: execution) { input throws(ExecutionFailure) in
                        try select(program.paths.baseAddress! + path, from: input, in: execution)
                    }
                    execution.pc += 1
                case .inputPathFromRawInput(let path):
                    try selectFromRawInput(path, execution, program)
                    execution.pc += 1
                case .parametersFromRawInput(let index):
                    try evaluateOnRawInput(index, execution, program)
                    execution.pc += 1
                case .inputNull, .outputNull:
                    execution.value = .object(JSONObject())
                    execution.pc += 1
                case .parameters(let index), .resultSelector(let index):
                    try replaceValue(of: execution) { input throws(ExecutionFailure) in
                        try execution.evaluate(program.templates.baseAddress! + index, data: input)
                    }
                    execution.pc += 1
                case .passResult(let constant):
                    execution.value = program.tables.constants[constant]
                    execution.pc += 1
                case .invokeTask(let task):
                    if try invoke(task, execution) { return }
                case .assign(let index):
                    try assign(index, execution)
                    execution.pc += 1
                case .resultPath(let path):
                    // The result is handed over (see ``ResultPathWriter/store(_:at:in:)``); a failure drops it, and
                    // what handles the failure sets the value anew (the raw input, or the error output).
                    var raw = execution.rawInput
                    try ResultPathWriter.store(execution.takeValue(), at: program.paths.baseAddress! + path, in: &raw)
                    execution.value = raw
                    execution.pc += 1
                case .resultPathInPlace(let path):
                    try mergeIntoRawInput(path, execution, program)
                    execution.pc += 1
                case .resultPathNull:
                    execution.value = execution.rawInput
                    execution.pc += 1
                case .outputPath(let path):
                    try replaceValue(of: execution) { output throws(ExecutionFailure) in
                        try select(program.paths.baseAddress! + path, from: output, in: execution)
                    }
                    execution.pc += 1
                case .exitState:
                    exit(execution)
                    execution.pc += 1
                case .exitStateAndJump(let target):
                    exit(execution)
                    execution.pc = target
                    if target <= pc && loopedBack(execution) { return }
                case .jump(let target):
                    execution.pc = target
                    if target <= pc && loopedBack(execution) { return }
                case .endGraph:
                    // The value is handed over to where it ends up (the join's results, the run's outcome):
                    // passing a copy retained it and released it again, once per graph (per item in a Map).
                    var output = JSONValue.null
                    swap(&output, &execution.value)
                    if !execution.hasParent {
                        finishRoot(execution, succeedingWith: output)
                    } else {
                        execution.finished = true
                        finishChild(execution, .success(consume output))
                    }
                    return
                case .choiceState(let state, let choice):
                    let quiet = enterChoice(Int(state), execution, program)
                    try choose(Int(choice), execution, program)
                    if quiet && execution.pendingAssignments.isEmpty {
                        // Leaving is taking the exited event's id, as ``exit(_:)`` would after its checks.
                        execution.lastEventId = execution.run.takeUnsharedEventIds(1)
                    } else {
                        exit(execution)
                    }
                    execution.pc = execution.chosenPC
                    if execution.pc <= pc && loopedBack(execution) { return }
                case .choose(let index):
                    try choose(index, execution, program)
                    execution.pc += 1
                case .jumpToChosen:
                    execution.pc = execution.chosenPC
                    if execution.pc <= pc && loopedBack(execution) { return }
                case .wait(let index):
                    try wait(index, execution)
                    execution.pc += 1
                    return
                case .fail(let index):
                    throw failure(program.tables.fails[index], execution)
                case .parallel(let index):
                    if try parallel(index, execution) { return }
                case .map(let index):
                    if try map(index, execution) { return }
                case .unsupported(let message):
                    throw ExecutionFailure(error: ErrorName.runtime, cause: program.tables.messages[message])
                }
            } catch {
                guard handle(error, in: execution) else { return }
            }
        }
    }

    /// Counts a jump back on the execution's strand; every ``RunScheduler/loopBudget`` of them, looks up from the
    /// loop (``checkIn(_:_:)``). Returns whether the execution must stop running now (its pc is the jump's target).
    @inline(__always)
    private static func loopedBack(_ execution: Execution) -> Bool {
        execution.withScheduler { strand in
            strand.loopBudget &-= 1
            return strand.loopBudget < 0 && checkIn(execution, strand)
        }
    }

    /// What a loop of states that never park must not miss: the end of its run (stopped, or failed elsewhere), its
    /// timeout (AWS ends a looping execution with States.Timeout like any other; the timers that would say so cannot
    /// run while the loop keeps the thread), and messages for its strand, such as a StopExecution. Returns whether
    /// the execution must stop running now: the run has ended, or the execution stepped aside (queued again, its
    /// strand reads its inbox first).
    @inline(never)
    static func checkIn(_ execution: Execution, _ strand: RunScheduler) -> Bool {
        strand.loopBudget = RunScheduler.loopBudget
        let run = execution.run
        if !run.hasEnded && RunScheduler.wallClockMilliseconds() >= run.deadline {
            // Only the root strand ends the run; another strand tells it (it is parked on a join, or looping too).
            if strand.isRoot { timeOut(run) } else { run.post(.timer(.executionTimeout)) }
        }
        if run.hasEnded {
            execution.finished = true
            return true
        }
        guard strand.hasMessages else { return false }
        strand.enqueue(execution)
        strand.readsInboxNext = true
        return true
    }

    /// Replaces the execution's value with what `transform` makes of it, handing the value over
    /// (``Execution/takeValue()``) rather than copying it, and putting it back when `transform` fails.
    @inline(__always)
    private static func replaceValue(
        of execution: Execution, _ transform: (JSONValue) throws(ExecutionFailure) -> JSONValue
    ) throws(ExecutionFailure) {
        let value = execution.takeValue()
        do throws(ExecutionFailure) {
            execution.value = try transform(value)
        } catch {
            execution.value = value
            throw error
        }
    }

    // MARK: States

    /// Enters state `state` of `program` (the run's, borrowed by the loop: reached through the run it was four
    /// dependent loads per state).
    static func enter(_ state: Int, _ execution: Execution, _ program: Program) {
        let run = execution.run
        let facts = program.stateFacts[state]
        if !execution.hasParent { run.transitions &+= 1 } else { execution.transitions &+= 1 }
        execution.state = state
        if facts.movesInputToRawInput {
            execution.rawInput = execution.takeValue()
        } else if facts.needsRawInput {
            execution.rawInput = execution.value
        } else if !execution.rawInput.isNull {
            execution.rawInput = .null
        }
        // Retry attempts start empty (none made), so a state with retriers allocates nothing unless it fails: the
        // counts are made by the first retry (``handle(_:in:)``).
        if execution.hasExtras || facts.issuesTaskToken {
            if !execution.retryAttempts.isEmpty { execution.retryAttempts = [] }
            execution.retryCount = 0
            execution.isCatching = false
            execution.taskToken = facts.issuesTaskToken ? TaskTokens.make() : nil
        }
        if !execution.pendingAssignments.isEmpty { execution.pendingAssignments.removeAll() }
        if run.needsStateTimes { execution.stateEnteredTime = execution.withScheduler { $0.now() } }
        guard run.keepsEvents else {
            // No events kept: only the id moves on (AWS's causes quote it), and no text is built.
            let id = run.skipEvent()
            execution.lastEventId = id
            execution.stateEnteredEventId = id
            return
        }
        recordEntered(state, execution)
    }

    /// Records a state's entry when the run keeps events. Out of line, as ``recordExited(_:)``: inlined into the
    /// interpreter loop, their texts were set up on every call of the loop (a Map item's run is one).
    @inline(never)
    private static func recordEntered(_ state: Int, _ execution: Execution) {
        let compiled = execution.run.program.tables.states[state]
        // A state whose entry moved its input into the raw input has it there.
        let input = compiled.movesInputToRawInput ? execution.rawInput : execution.value
        execution.stateEnteredEventId = execution.record("\(compiled.typeName)StateEntered", ("stateEnteredEventDetails", [
            "name": .string(compiled.name), "input": .string(input.compactText), "inputDetails": ["truncated": false],
        ]))
    }

    /// Enters a Choice state (which never reads its raw input): what ``enter(_:_:_:)`` does, in one step when the
    /// execution can go quietly (``goesQuietly(_:)``). Returns whether it went quietly (the run keeps no events and
    /// runs on one strand, so leaving the state can be quiet too).
    @inline(__always)
    static func enterChoice(_ state: Int, _ execution: Execution, _ program: Program) -> Bool {
        guard goesQuietly(execution) else {
            enter(state, execution, program)
            return false
        }
        goQuietly(through: 1, endingIn: state, leavingLast: false, execution)
        return true
    }

    /// Goes through a chain of pass-through states (``Instruction/passChain(_:)``) and returns where to go on: all of
    /// them at once when the execution can go quietly (nothing that decides it changes along the chain); otherwise
    /// the first alone, as its own instruction would.
    @inline(__always)
    static func passChain(_ chain: UnsafePointer<PassChain>, _ execution: Execution, _ program: Program) -> Int {
        guard goesQuietly(execution) else {
            pass(Int(chain.pointee.first), execution, program)
            return Int(chain.pointee.afterFirst)
        }
        goQuietly(through: Int(chain.pointee.count), endingIn: Int(chain.pointee.last), leavingLast: true, execution)
        return Int(chain.pointee.exit)
    }

    /// Enters and leaves a state that does nothing in between (``Instruction/passThrough(state:next:)``): what
    /// ``enter(_:_:_:)`` and ``exit(_:)`` do, in one step when the execution can go quietly. As two calls it was
    /// 100 instructions per state of a Pass chain or a Map's item processor (callgrind), a third of each of their
    /// transitions.
    @inline(__always)
    static func pass(_ state: Int, _ execution: Execution, _ program: Program) {
        // Pass-through states never read their raw input (``Compiler/fuseInstructions()`` fuses no other).
        guard goesQuietly(execution) else {
            enter(state, execution, program)
            exit(execution)
            return
        }
        goQuietly(through: 1, endingIn: state, leavingLast: true, execution)
    }

    /// Whether states that never read their raw input can be entered and left in one step: the run keeps no events,
    /// no times and runs on one strand (``RunState/isQuiet``), and the execution has no extras to reset and no
    /// assignments pending. Entering and leaving such a state is then only counting it and taking its event ids.
    @inline(__always)
    private static func goesQuietly(_ execution: Execution) -> Bool {
        execution.run.isQuiet && !execution.hasExtras && execution.pendingAssignments.isEmpty
    }

    /// Goes quietly through `count` states that never read their raw input, in order, the last being `last`: counts
    /// them, drops the raw input and takes two event ids per state (entered, exited), one for the last when it is
    /// only entered (`leavingLast` false). The last state's entered event is the execution's state entry.
    @inline(__always)
    private static func goQuietly(through count: Int, endingIn last: Int, leavingLast: Bool, _ execution: Execution) {
        let run = execution.run
        if !execution.hasParent { run.transitions &+= count } else { execution.transitions &+= count }
        execution.state = last
        if !execution.rawInput.isNull { execution.rawInput = .null }
        let ids = 2 * count - (leavingLast ? 0 : 1)
        let first = run.takeUnsharedEventIds(ids)
        execution.stateEnteredEventId = first + 2 * (count - 1)
        execution.lastEventId = first + ids - 1
    }

    /// Goes quietly through a merging Pass (``Instruction/mergingPass(_:)``): what its instructions do (enter,
    /// with the input moved into the raw input; the step; the ResultPath in place; leave) in one step, for an
    /// execution that ``goesQuietly(_:)``, which has no events, times, extras or assignments to see to. A failure
    /// of the step or the ResultPath is thrown with the state entered, as from the state's own instructions.
    @inline(__always)
    private static func goQuietly(
        through pass: UnsafePointer<MergingPass>, _ execution: Execution, _ program: Program
    ) throws(ExecutionFailure) {
        let run = execution.run
        if !execution.hasParent { run.transitions &+= 1 } else { execution.transitions &+= 1 }
        execution.state = Int(pass.pointee.state)
        execution.rawInput = execution.takeValue()
        let entered = run.takeUnsharedEventIds(1)
        execution.stateEnteredEventId = entered
        execution.lastEventId = entered
        let resultPath = Int(pass.pointee.resultPath)
        switch pass.pointee.step {
        case .result(let constant):
            execution.value = program.tables.constants[Int(constant)]
            try mergeIntoRawInput(resultPath, execution, program)
        case .parameters(let template):
            try evaluateOnRawInput(Int(template), execution, program)
            try mergeIntoRawInput(resultPath, execution, program)
        case .inputPath(let path):
            try selectFromRawInput(Int(path), execution, program)
            try mergeIntoRawInput(resultPath, execution, program)
        case .objectIntoMember(let template):
            // The step and the ResultPath at once.
            try editRawInput(execution) { raw throws(ExecutionFailure) in
                try execution.evaluateObject(program.templates.baseAddress.unsafelyUnwrapped + Int(template),
                                             storingAt: program.paths.baseAddress.unsafelyUnwrapped + resultPath, in: &raw)
            }
        }
        execution.lastEventId = run.takeUnsharedEventIds(1)
    }

    /// InputPath `path` on the raw input (``Instruction/inputPathFromRawInput(_:)``): the raw input is lent for the
    /// step, read where it lies, and put back, even when the step fails.
    @inline(__always)
    private static func selectFromRawInput(_ path: Int, _ execution: Execution, _ program: Program) throws(ExecutionFailure) {
        let raw = execution.takeRawInput()
        defer { execution.rawInput = raw }
        execution.value = try select(program.paths.baseAddress.unsafelyUnwrapped + path, from: raw, in: execution)
    }

    /// Parameters `template` on the raw input (``Instruction/parametersFromRawInput(_:)``), lent as above.
    @inline(__always)
    private static func evaluateOnRawInput(_ template: Int, _ execution: Execution, _ program: Program) throws(ExecutionFailure) {
        let raw = execution.takeRawInput()
        defer { execution.rawInput = raw }
        execution.value = try execution.evaluate(program.templates.baseAddress.unsafelyUnwrapped + template, data: raw)
    }

    /// ResultPath `path` when nothing after it in the state needs the raw input (``Instruction/resultPathInPlace(_:)``):
    /// the raw input is handed over, so that an input nothing else holds is edited in place instead of copied. A
    /// mismatch leaves it untouched, for a Catch.
    @inline(__always)
    private static func mergeIntoRawInput(_ path: Int, _ execution: Execution, _ program: Program) throws(ExecutionFailure) {
        try editRawInput(execution) { raw throws(ExecutionFailure) in
            try ResultPathWriter.store(execution.takeValue(), at: program.paths.baseAddress.unsafelyUnwrapped + path, in: &raw)
        }
    }

    /// Hands the raw input to `edit`, whose result is the state's output (the execution's value); when `edit`
    /// fails, what it leaves is the raw input again (a failed ResultPath leaves it untouched, for a Catch).
    @inline(__always)
    private static func editRawInput(
        _ execution: Execution, _ edit: (inout JSONValue) throws(ExecutionFailure) -> Void
    ) throws(ExecutionFailure) {
        var raw = execution.takeRawInput()
        do throws(ExecutionFailure) {
            try edit(&raw)
        } catch {
            execution.rawInput = raw
            throw error
        }
        execution.value = raw
    }

    static func exit(_ execution: Execution) {
        if !execution.pendingAssignments.isEmpty {
            for assignments in execution.pendingAssignments {
                for member in assignments { execution.assignVariable(member.key, member.value) }
            }
            execution.pendingAssignments.removeAll()
        }
        let run = execution.run
        guard run.keepsEvents else {
            execution.lastEventId = run.skipEvent()
            return
        }
        recordExited(execution)
    }

    @inline(never)
    private static func recordExited(_ execution: Execution) {
        let compiled = execution.run.program.tables.states[execution.state]
        let output = execution.value
        execution.record("\(compiled.typeName)StateExited", ("stateExitedEventDetails", [
            "name": .string(compiled.name), "output": .string(output.compactText), "outputDetails": ["truncated": false],
        ]))
    }

    /// InputPath and OutputPath: a path that matches nothing is `States.Runtime`, in Jayway's words.
    static func select(_ path: JSONPath, from value: JSONValue, in execution: Execution) throws(ExecutionFailure) -> JSONValue {
        try withUnsafePointer(to: path) { path throws(ExecutionFailure) in try select(path, from: value, in: execution) }
    }

    /// ``select(_:from:in:)`` for the path at `path` (in the program's memory), read in place. Out of line: inlined
    /// into the interpreter loop, it made the loop's common path longer (map_100x3: 4 instructions more per item).
    @inline(never)
    static func select(_ path: UnsafePointer<JSONPath>, from value: JSONValue, in execution: Execution) throws(ExecutionFailure) -> JSONValue {
        if let found = execution.referencedValue(at: path, in: value) { return found }
        switch try execution.lookup(path, data: value) {
        case .found(let selected): return selected
        case .missing(let miss):
            throw .runtime(execution.causePrefix() + "Invalid path '\(path.pointee.text)' : \(miss.explanation)")
        }
    }

    static func assign(_ index: Int, _ execution: Execution) throws(ExecutionFailure) {
        let compiled = UnsafePointer(execution.run.program.assignments.baseAddress! + index)
        // Every expression sees the variables as they were when the state began; then all are stored at once.
        // AWS: the new values become visible when the state ends (its ResultPath and OutputPath still see the old
        // ones; conformance BASE_EVALUATION_ORDER_PASS_STATE), so they wait in `pendingAssignments` until exitState.
        let values = try execution.evaluate(compiled, data: execution.value)
        guard case .object(let object) = values else { return }
        execution.pendingAssignments.append(object)
    }

    /// Chooses the branch of Choice `index` of `program` (the run's, borrowed by the loop).
    static func choose(_ index: Int, _ execution: Execution, _ program: Program) throws(ExecutionFailure) {
        // Read where it lies: a copy of the code's nine words per Choice state was for nothing.
        let compiled = UnsafePointer(program.choiceCode.baseAddress.unsafelyUnwrapped + index)
        // The rules read the effective input where the execution keeps it (nothing below changes it until a
        // branch is chosen): a copy of it was a retain and a release per Choice state.
        let chosen = try withUnsafeMutablePointer(to: &execution.value) { data throws(ExecutionFailure) in
            try execution.choose(in: compiled, data: data)
        }
        let code = compiled.pointee
        if chosen < code.branches.count {
            let branch = code.branches[chosen]
            if branch.assignment >= 0 { try assign(branch.assignment, execution) }
            execution.chosenPC = branch.target
            return
        }
        guard code.defaultTarget >= 0 else {
            throw ExecutionFailure(error: ErrorName.noChoiceMatched,
                                   cause: execution.causePrefix() + "No Matches!")
        }
        if code.defaultAssignment >= 0 { try assign(code.defaultAssignment, execution) }
        execution.chosenPC = code.defaultTarget
    }

    static func wait(_ index: Int, _ execution: Execution) throws(ExecutionFailure) {
        let milliseconds: Int64
        switch execution.run.program.tables.waits[index] {
        case .seconds(let seconds):
            milliseconds = try Int64(waitSeconds(seconds, execution)) * 1000
        case .timestamp(let timestamp):
            let instant = try waitTimestamp(timestamp, execution)
            milliseconds = instant.secondsSinceEpoch * 1000 + Int64(instant.nanoseconds / 1_000_000) - execution.withScheduler { $0.now() }
        }
        execution.withScheduler { $0.schedule(after: milliseconds, .resume(execution)) }
    }

    private static func waitSeconds(_ seconds: DynamicValue<Int>, _ execution: Execution) throws(ExecutionFailure) -> Int {
        switch seconds {
        case .constant(let value): return value
        case .path(let path):
            let prefix = execution.causePrefix()
            guard case .found(let value) = try execution.lookup(path, data: execution.value) else {
                throw .runtime(prefix + "The SecondsPath parameter does not reference an input value: \(path.text)")
            }
            guard let integer = value.integerValue, value.numberValue != nil, case .int = value else {
                throw .runtime(prefix + "The SecondsPath parameter cannot be parsed as a long value: \(path.text) == \(value.compactText)")
            }
            guard integer >= 0 else {
                throw .runtime(prefix + "The SecondsPath parameter references a negative value: \(path.text) == \(integer)")
            }
            return Int(integer)
        case .intrinsic, .expression:
            throw .runtime(execution.causePrefix() + "Unsupported Seconds value")
        }
    }

    private static func waitTimestamp(_ timestamp: DynamicValue<Timestamp>, _ execution: Execution) throws(ExecutionFailure) -> Timestamp {
        switch timestamp {
        case .constant(let value): return value
        case .path(let path):
            let prefix = execution.causePrefix()
            guard case .found(let value) = try execution.lookup(path, data: execution.value) else {
                throw .runtime(prefix + "The TimestampPath parameter does not reference an input value: \(path.text)")
            }
            guard case .string(let text) = value, let parsed = Timestamp(text) else {
                let shown = value.stringValue ?? value.compactText
                throw .runtime(prefix + "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: \(path.text) == \(shown)")
            }
            return parsed
        case .intrinsic, .expression:
            throw .runtime(execution.causePrefix() + "Unsupported Timestamp value")
        }
    }

    static func failure(_ fail: FailState, _ execution: Execution) -> ExecutionFailure {
        func text(_ value: DynamicValue<String>?, field: String) -> Result<String?, ExecutionFailure> {
            switch value {
            case nil: return .success(nil)
            case .constant(let text)?: return .success(text)
            case .path(let path)?:
                do throws(ExecutionFailure) {
                    let found = try execution.value(at: path, data: execution.rawInput, field: field)
                    return .success(found.stringValue ?? found.compactText)
                } catch {
                    return .failure(error)
                }
            case .intrinsic(let call)?:
                do throws(ExecutionFailure) {
                    let found = try execution.evaluate(call, data: execution.rawInput, field: field)
                    return .success(found.stringValue ?? found.compactText)
                } catch {
                    return .failure(error)
                }
            case .expression?:
                return .failure(.runtime(execution.causePrefix() + "JSONata is not evaluated yet"))
            }
        }
        switch (text(fail.error, field: "ErrorPath"), text(fail.cause, field: "CausePath")) {
        case (.failure(let problem), _), (_, .failure(let problem)): return problem
        case (.success(let error), .success(let cause)):
            return ExecutionFailure(error: error ?? "", cause: cause)
        }
    }

    // MARK: Ending

    /// Ends an execution or child with a value or a failure that nothing handled. The outcome is consumed: a
    /// child's output is handed on to its join's results without a copy (a retain and a release per Map item).
    static func finish(_ execution: Execution, _ outcome: consuming Result<JSONValue, ExecutionFailure>) {
        execution.finished = true
        guard execution.hasParent else {
            let run = execution.run
            guard !run.hasEnded else { return }
            switch consume outcome {
            case .success(let output):
                finishRoot(execution, succeedingWith: output)
            case .failure(let failure):
                // A Fail state without `Error` fails the execution with no error name at all.
                let error = failure.error.isEmpty ? nil : failure.error
                var details: JSONObject = [:]
                if let error { details["error"] = .string(error) }
                if let cause = failure.cause { details["cause"] = .string(cause) }
                execution.record("ExecutionFailed", ("executionFailedEventDetails", details))
                run.end(with: ExecutionResult(status: .failed, output: nil, error: error, cause: failure.cause,
                                              history: run.events))
            }
            return
        }
        finishChild(execution, outcome)
    }

    /// ``finish(_:_:)`` for a branch or iteration (the execution has a parent): its outcome goes to its join.
    /// Inlined where a graph ends (``interpret(_:_:)``): called there (through ``finish(_:_:)``), the outcome was
    /// built and destroyed through `Result`'s generic code, about 30 instructions per Map item.
    @inline(__always)
    private static func finishChild(_ execution: Execution, _ outcome: consuming Result<JSONValue, ExecutionFailure>) {
        // A child keeps its join alive, so the join is borrowed: a binding retained and released it (once per Map
        // item). The outcome goes into the closure through an optional, taken out there (a consumed parameter
        // cannot be consumed inside a closure).
        var handedOn = Optional(outcome)
        execution.unretainedParent.unsafelyUnwrapped._withUnsafeGuaranteedRef { join in
            let outcome = handedOn.take().unsafelyUnwrapped
            if execution.isOnStrand(of: join.owner) {
                childFinished(execution, join: join, outcome)
            } else {
                join.owner.withScheduler { $0.post(.childFinished(execution, outcome)) }
            }
        }
    }

    /// Ends a top-level execution (no parent) with `output`, as ``finish(_:_:)`` does with a success: the graph's
    /// end calls it with the value itself. Given as a `Result`, the output was copied out of it and the result then
    /// destroyed through the runtime's generic witness for `Result` (about 140 instructions per execution). (A
    /// child's output goes on in its `Result` to the join, which keeps it: routed through here, it was copied.)
    static func finishRoot(_ execution: Execution, succeedingWith output: consuming JSONValue) {
        precondition(!execution.hasParent)
        execution.finished = true
        let run = execution.run
        guard !run.hasEnded else { return }
        // An output that is the execution's input itself (a machine that passes it through) was checked when the
        // execution started; one that is the last task's result, when the task returned it.
        if !execution.isKnownToFit(output) && output.compactTextExceeds(bytes: Limits.payloadBytes) {
            let failure = ExecutionFailure(error: ErrorName.dataLimitExceeded,
                cause: "The state/task '\(execution.stateName)' returned a result with a size exceeding the maximum number of bytes service limit.")
            finish(execution, .failure(failure))
            return
        }
        execution.record("ExecutionSucceeded", ("executionSucceededEventDetails", [
            "output": .string(output.compactText), "outputDetails": ["truncated": false],
        ]))
        if run.keepsEvents {
            run.end(with: ExecutionResult(status: .succeeded, output: output, error: nil, cause: nil, history: run.events))
        } else {
            // Handed over to the run, which consumes it in turn (``RunState/succeed(with:)``): a copy was a retain
            // and a release of the output per execution.
            run.succeed(with: consume output)
        }
    }

    /// StopExecution: the run ends ABORTED, whatever it was doing.
    static func abort(_ run: RunState, error: String?, cause: String?) {
        guard !run.hasEnded else { return }
        var details: JSONObject = [:]
        if let error { details["error"] = .string(error) }
        if let cause { details["cause"] = .string(cause) }
        run.recordEvent("ExecutionAborted", previous: nil, details: ("executionAbortedEventDetails", details))
        run.end(with: ExecutionResult(status: .aborted, output: nil, error: error, cause: cause, history: run.events))
    }

    static func timeOut(_ run: RunState) {
        guard !run.hasEnded else { return }
        run.recordEvent("ExecutionTimedOut", previous: nil, details: ("executionTimedOutEventDetails", [
            "error": .string(ErrorName.timeout), "cause": "The execution timed out.",
        ]))
        run.end(with: ExecutionResult(status: .timedOut, output: nil, error: ErrorName.timeout,
                                      cause: "The execution timed out.", history: run.events))
    }
}

/// AWS's limits, enforced at run time.
public enum Limits {
    /// The largest state input or output, task result or execution output: 256 KiB.
    public static let payloadBytes = 262_144

    /// Whether an execution's input is over the limit. AWS measures the input string a StartExecution request
    /// carries, so when the caller gives the length of the JSON text it parsed `input` from (`byteCount`), that
    /// length is measured and the input is not walked; otherwise the input's compact text is.
    static func inputExceedsLimit(_ input: JSONValue, byteCount: Int?) -> Bool {
        if let byteCount { return byteCount > payloadBytes }
        return input.compactTextExceeds(bytes: payloadBytes)
    }
}

