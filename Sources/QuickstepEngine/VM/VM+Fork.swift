import QuickstepJSON
import QuickstepLanguage

extension VM {
    /// Starts every branch on the effective input; parks the execution until they finish.
    static func parallel(_ index: Int, _ execution: Execution) throws(ExecutionFailure) -> Bool {
        // Read in place (see ``Program/parallels``).
        let parallel = UnsafePointer(execution.run.program.parallels.baseAddress! + index)
        let count = parallel.pointee.branchEntries.count
        execution.record("ParallelStateStarted")
        let join = Join(owner: execution, count: count, maxConcurrency: 0, isMap: false,
                        toleratedCount: nil, toleratedPercentage: nil)
        spread(join, children: count)
        if parallel.pointee.branchesRunInline, join.strandCount == 1 {
            join.running = count
            let input = execution.value
            let started = execution.lastEventId  // ParallelStateStarted, which every branch follows
            runInline(join, count: count, entry: { parallel.pointee.branchEntries[$0] }, input: { _ in input },
                      lastEventId: { _ in started })
            return true
        }
        for position in 0..<count {
            let child = Execution(run: execution.run, scheduler: join.strand(for: position), pc: parallel.pointee.branchEntries[position],
                                  input: execution.value, enclosingScope: execution.variables,
                                  parent: join, childIndex: position)
            child.lastEventId = execution.lastEventId
            join.running += 1
            start(child, join: join)
        }
        return true
    }

    /// Chooses the strands a join's children run on: the owner's own, plus one per worker the host can spare.
    private static func spread(_ join: Join, children: Int) {
        let owner = join.owner
        let width = max(1, min(children, owner.run.resources.withHost { $0.fanOutWidth }))
        guard width > 1 else { return }
        owner.run.markSpread()
        join.otherStrands = (1..<width).map { _ in RunScheduler(childOf: owner.scheduler) }
    }

    /// Queues a child on its strand: directly on the owner's, through the inbox on another (it may be running).
    private static func start(_ child: Execution, join: Join) {
        if child.isOnStrand(of: join.owner) {
            child.withScheduler { $0.enqueue(child) }
        } else {
            child.withScheduler { $0.post(.start(child)) }
        }
    }

    /// Starts one iteration per item (up to MaxConcurrency at once); parks the execution until they finish.
    static func map(_ index: Int, _ execution: Execution) throws(ExecutionFailure) -> Bool {
        // Read in place (see ``Program/maps``).
        let map = UnsafePointer(execution.run.program.maps.baseAddress! + index)
        let items: [JSONValue]
        switch try execution.lookup(map.pointee.itemsPath, data: execution.value) {
        case .missing(let miss):
            throw .runtime(execution.causePrefix() + "Invalid path '\(map.pointee.itemsPath.text)' : \(miss.explanation)")
        case .found(let found):
            guard case .array(let elements) = found else {
                throw .runtime(execution.causePrefix() + "Map state input must be an array but was: \(found.compactText)")
            }
            items = elements
        }
        var maxConcurrency = 0
        var toleratedCount: Int?
        var toleratedPercentage: Double?
        if map.pointee.hasSettings {
            maxConcurrency = try integerSetting(map.pointee.maxConcurrency, field: "MaxConcurrencyPath", execution) ?? 0
            toleratedCount = try integerSetting(map.pointee.toleratedFailureCount, field: "ToleratedFailureCountPath", execution)
            if let setting = map.pointee.toleratedFailurePercentage {
                toleratedPercentage = try percentageSetting(setting, execution)
            }
        }
        execution.record("MapStateStarted", ("mapStateStartedEventDetails", ["length": .int(Int64(items.count))]))
        guard !items.isEmpty else {
            execution.record("MapStateSucceeded")
            execution.value = .array([])
            execution.pc += 1
            return false
        }
        // Every ItemSelector is evaluated up front, on the Map's effective input, with $$.Map.Item set. Without
        // one, the iterations' inputs are the items array itself (no copy of it, no retain per item).
        var inputs = items
        if let selector = map.pointee.itemSelector {
            let compiled = execution.run.program.templates.baseAddress! + selector
            for (position, item) in items.enumerated() {
                execution.mapItem = (position, item)
                defer { execution.mapItem = nil }
                inputs[position] = try execution.evaluate(compiled, data: execution.value)
            }
        }
        let join = Join(owner: execution, count: items.count, maxConcurrency: maxConcurrency, isMap: true,
                        toleratedCount: toleratedCount, toleratedPercentage: toleratedPercentage)
        if map.pointee.itemSelector == nil, execution.isKnownToFit(execution.value) {
            join.fittingInputs = items
        }
        spread(join, children: maxConcurrency == 0 ? items.count : min(maxConcurrency, items.count))
        let processorEntry = map.pointee.processorEntry
        if map.pointee.processorRunsInline, join.strandCount == 1, maxConcurrency == 0 || maxConcurrency >= items.count {
            // Every MapIterationStarted first, as `launch` records them when all may run at once.
            join.running += inputs.count
            guard execution.run.keepsEvents else {
                // Unrecorded, their ids are consecutive: no list of them is made.
                let first = execution.run.skipEvents(inputs.count)
                execution.lastEventId = first + inputs.count - 1
                runInline(join, count: inputs.count, entry: { _ in processorEntry }, input: { inputs[$0] },
                          lastEventId: { first + $0 })
                return true
            }
            var firstEventIds: [Int] = []
            firstEventIds.reserveCapacity(inputs.count)
            for position in inputs.indices {
                execution.record("MapIterationStarted", ("mapIterationStartedEventDetails", [
                    "name": .string(execution.stateName), "index": .int(Int64(position)),
                ]))
                firstEventIds.append(execution.lastEventId)
            }
            runInline(join, count: inputs.count, entry: { _ in processorEntry }, input: { inputs[$0] },
                      lastEventId: { firstEventIds[$0] })
            return true
        }
        for (position, input) in inputs.enumerated() {
            let child = Execution(run: execution.run, scheduler: join.strand(for: position),
                                  pc: processorEntry, input: input, enclosingScope: execution.variables,
                                  parent: join, childIndex: position)
            join.waiting.append(child)
        }
        join.waiting.reverse()
        launch(join)
        return true
    }

    /// Runs a join's children one after another, now, on one graph object reused for each: for branches or an item
    /// processor that cannot park (``CompiledParallel/branchesRunInline``, ``CompiledMap/processorRunsInline``),
    /// on one strand, with every child allowed at once. Everything observable is as when the children are queued
    /// on the strand: the caller records what precedes them (a Map's MapIterationStarted events), then each child
    /// runs to its end in order, reporting to the join as it ends (so event ids, results, failures and tolerated
    /// failures are the same); a failure that ends the join stops the loop as it would leave the queued children
    /// unrun. What it saves is an object and a queue round trip per child (100 of map_100x3's 125 allocations per
    /// execution were its iterations' objects).
    private static func runInline(
        _ join: Join, count: Int, entry: (Int) -> Int, input: (Int) -> JSONValue, lastEventId: (Int) -> Int
    ) {
        let owner = join.owner
        let child = Execution(run: owner.run, scheduler: owner.scheduler, pc: entry(0), input: .null,
                              enclosingScope: owner.variables, parent: join, childIndex: 0)
        for position in 0..<count {
            guard !join.isCancelled, !owner.finished else { return }
            child.restart(pc: entry(position), input: input(position), childIndex: position)
            child.lastEventId = lastEventId(position)
            // Ends in VM.finish, which reports to the join on this strand (childFinished) before returning.
            VM.run(child)
        }
    }

    /// Starts waiting children while MaxConcurrency allows (0: no limit).
    private static func launch(_ join: Join) {
        let owner = join.owner
        while let child = join.waiting.last, join.maxConcurrency == 0 || join.running < join.maxConcurrency {
            join.waiting.removeLast()
            join.running += 1
            owner.record("MapIterationStarted", ("mapIterationStartedEventDetails", [
                "name": .string(owner.stateName), "index": .int(Int64(child.childIndex)),
            ]))
            child.lastEventId = owner.lastEventId
            start(child, join: join)
        }
    }

    /// A branch or iteration ended: store its output, or fail the join; resume the owner when all are done.
    static func childFinished(_ child: Execution, join: Join, _ outcome: consuming Result<JSONValue, ExecutionFailure>) {
        let owner = join.owner
        if !owner.hasParent { owner.run.transitions += child.transitions } else { owner.transitions += child.transitions }
        guard !join.isCancelled, !owner.finished else { return }
        join.running -= 1
        join.remaining -= 1
        owner.lastEventId = max(owner.lastEventId, child.lastEventId)
        switch consume outcome {
        case .success(let output):
            if !join.fittingInputs.isEmpty, !output.isSameContainer(as: join.fittingInputs[child.childIndex]) {
                join.fittingInputs = []
            }
            join.results[child.childIndex] = output
            if join.isMap {
                owner.record("MapIterationSucceeded", ("mapIterationSucceededEventDetails", [
                    "name": .string(owner.stateName), "index": .int(Int64(child.childIndex)),
                ]))
            }
        case .failure(let failure):
            if join.isMap {
                owner.record("MapIterationFailed", ("mapIterationFailedEventDetails", [
                    "name": .string(owner.stateName), "index": .int(Int64(child.childIndex)),
                ]))
            }
            join.failures += 1
            let tolerated = join.toleratedCount != nil || join.toleratedPercentage != nil
            if !tolerated || exceedsTolerance(join) {
                join.isCancelled = true
                owner.record(join.isMap ? "MapStateFailed" : "ParallelStateFailed")
                owner.pendingFailure = tolerated
                    ? ExecutionFailure(error: ErrorName.exceedToleratedFailureThreshold,
                                       cause: "The specified tolerated failure threshold was exceeded")
                    : failure
                owner.withScheduler { $0.enqueue(owner) }
                return
            }
            join.results[child.childIndex] = .null
            join.fittingInputs = []
        }
        if join.remaining == 0 {
            owner.record(join.isMap ? "MapStateSucceeded" : "ParallelStateSucceeded")
            let output = JSONValue.array(join.results)
            join.results = []
            if !join.fittingInputs.isEmpty { owner.checkedResult = output }
            owner.value = output
            owner.pc += 1
            owner.withScheduler { $0.enqueue(owner) }
        } else if join.isMap, !join.waiting.isEmpty {
            launch(join)
        }
    }

    private static func exceedsTolerance(_ join: Join) -> Bool {
        if let count = join.toleratedCount, join.failures > count { return true }
        if let percentage = join.toleratedPercentage,
            Double(join.failures) * 100 > percentage * Double(join.count)
        {
            return true
        }
        return false
    }

    private static func integerSetting(_ value: DynamicValue<Int>?, field: String, _ execution: Execution) throws(ExecutionFailure) -> Int? {
        switch value {
        case nil: return nil
        case .constant(let integer)?: return integer
        case .path(let path)?:
            let found = try select(path, from: execution.value, in: execution)
            // Like Jackson, AWS takes a string holding an integer ("1") as that integer.
            guard let integer = found.integerValue ?? found.stringValue.flatMap({ Int64($0) }), found.boolValue == nil else {
                throw .runtime(execution.causePrefix() + "The \(field) field refers to value \(quoted(found)) which is not a valid integer: \(path.text)")
            }
            if field == "ToleratedFailureCountPath" && integer < 0 {
                throw .runtime(execution.causePrefix() + "ToleratedFailureCount cannot be negative.")
            }
            return Int(integer)
        case .intrinsic?, .expression?:
            throw .runtime(execution.causePrefix() + "JSONata is not evaluated yet")
        }
    }

    /// How AWS shows a rejected value in these causes: its text, in double quotes (`"NoNumber"`, `"{}"`).
    private static func quoted(_ value: JSONValue) -> String {
        "\"" + (value.stringValue ?? value.compactText) + "\""
    }

    private static func percentageSetting(_ value: DynamicValue<Double>, _ execution: Execution) throws(ExecutionFailure) -> Double {
        switch value {
        case .constant(let number): return number
        case .path(let path):
            let found = try select(path, from: execution.value, in: execution)
            guard let number = found.numberValue ?? found.stringValue.flatMap({ Double($0) }), found.boolValue == nil else {
                throw .runtime(execution.causePrefix() + "The ToleratedFailurePercentagePath field refers to value \(quoted(found)) which is not a valid float: \(path.text)")
            }
            guard (0...100).contains(number) else {
                throw .runtime(execution.causePrefix() + "ToleratedFailurePercentage must be between 0 and 100.")
            }
            return number
        case .intrinsic, .expression:
            throw .runtime(execution.causePrefix() + "JSONata is not evaluated yet")
        }
    }
}
