import Dispatch
import Foundation
import Synchronization
import Testing
import QuickstepJSON
import QuickstepLanguage
import MetricsTestKit
@testable import QuickstepEngine

/// The engine runtime: many executions over the worker pool, each checked, and the counters' invariant.
@Suite struct EngineTests {
    static let passChain = #"""
        {"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"n.$":"$.n","doubled.$":"States.MathAdd($.n, $.n)"},"Next":"B"},
         "B":{"Type":"Pass","End":true}}}
        """#

    func engine(workers: Int = 2, configure: (inout EngineConfiguration) -> Void = { _ in }) -> Engine {
        var configuration = EngineConfiguration(workers: workers)
        configure(&configuration)
        return Engine(configuration: configuration)
    }

    @Test func hundredThousandConcurrentExecutionsAllCorrect() throws {
        let engine = engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Chain", definition: Self.passChain)
        let wrong = Atomic<Int>(0)
        let count = 100_000
        for n in 0..<count {
            try engine.startExecution(stateMachine: "Chain", input: ["n": .int(Int64(n))]) { result in
                if result.output != ["n": .int(Int64(n)), "doubled": .int(Int64(2 * n))] { wrong.add(1, ordering: .relaxed) }
            }
        }
        engine.waitUntilIdle()
        #expect(wrong.load(ordering: .relaxed) == 0)
        let counters = engine.counters
        #expect(counters == EngineCounters(started: count, succeeded: count, running: 0, stateTransitions: 2 * count))
    }

    /// submitExecution runs like startExecution; executions started from completions (as a stream consumer
    /// chains them) all finish, and waitUntilIdle returns only after the last callback.
    @Test func submittedExecutionsChainedFromCompletionsAllFinish() throws {
        let engine = engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Chain", definition: Self.passChain)
        let wrong = Atomic<Int>(0)
        let callbacks = Atomic<Int>(0)
        let chains = 8
        let perChain = 2_000
        @Sendable func submit(_ n: Int) {
            try? engine.submitExecution(stateMachine: "Chain", input: ["n": .int(Int64(n))]) { result in
                if result.output != ["n": .int(Int64(n)), "doubled": .int(Int64(2 * n))] { wrong.add(1, ordering: .relaxed) }
                callbacks.add(1, ordering: .relaxed)
                if n + chains < chains * perChain { submit(n + chains) }
            }
        }
        for chain in 0..<chains { submit(chain) }
        engine.waitUntilIdle()
        #expect(callbacks.load(ordering: .relaxed) == chains * perChain)
        #expect(wrong.load(ordering: .relaxed) == 0)
        #expect(engine.counters == EngineCounters(started: chains * perChain, succeeded: chains * perChain, running: 0,
                                                 stateTransitions: 2 * chains * perChain))
        #expect(throws: EngineError.stateMachineDoesNotExist("Missing")) {
            try engine.submitExecution(stateMachine: "Missing")
        }
    }

    /// Execution names and ids come from one stream per counters stripe (each worker's, and one for threads
    /// outside the pool): executions started from the caller's thread and from completions on both workers all get
    /// different names and ARNs, and a second engine with a machine of the same name names its executions apart.
    @Test func executionNamesAreUniqueAcrossWorkersAndEngines() throws {
        let engines = [engine(), engine()]
        defer { for engine in engines { engine.shutdown() } }
        // Behind a pthread mutex, which ThreadSanitizer sees (it reports `Mutex`'s protected accesses as races).
        let arns = Locked<[String]>([])
        for engine in engines {
            try engine.createStateMachine(name: "Chain", definition: Self.passChain)
            @Sendable func start(_ left: Int) {
                guard left > 0 else { return }
                let arn = try? engine.startExecution(stateMachine: "Chain", input: ["n": 1]) { _ in start(left - 1) }
                if let arn { arns.withLock { $0.append(arn) } }
            }
            for _ in 0..<16 { start(250) }
            engine.waitUntilIdle()
        }
        let all = arns.withLock { $0 }
        #expect(all.count == 2 * 16 * 250)
        #expect(Set(all).count == all.count)
        // `...:express:Chain:NAME:ID`: the names (UUIDs) differ too, not only the ids after them.
        let names = all.map { $0.split(separator: ":").dropLast().last.map(String.init) ?? "" }
        #expect(Set(names).count == all.count)
    }

    /// Each worker looks machines up in a table of its own, which remembers the last machine found: a machine
    /// registered again under its name replaces the old one for starts from the caller's thread and from every
    /// worker (here, from completions on them), although each of them had just found the old one.
    @Test func reregisteredMachineReplacesTheOldOneOnEveryThread() throws {
        let engine = engine()
        defer { engine.shutdown() }
        let first = #"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":1,"End":true}}}"#
        /// The outputs of 64 executions, each started from a worker.
        func outputsStartedOnWorkers() throws -> [JSONValue?] {
            let outputs = Locked<[JSONValue?]>([])  // not Mutex: ThreadSanitizer cannot see its locking
            for _ in 0..<64 {
                try engine.submitExecution(stateMachine: "M") { _ in
                    // On a worker: start another from here, which looks "M" up in this worker's table.
                    try? engine.submitExecution(stateMachine: "M") { result in outputs.withLock { $0.append(result.output) } }
                }
            }
            engine.waitUntilIdle()
            return outputs.withLock { $0 }
        }
        try engine.createStateMachine(name: "M", definition: first)
        #expect(try engine.startSyncExecution(stateMachine: "M").output == 1)
        #expect(try outputsStartedOnWorkers() == Array(repeating: 1, count: 64))
        try engine.createStateMachine(name: "M", definition: first.replacingOccurrences(of: "1", with: "2"))
        #expect(try engine.startSyncExecution(stateMachine: "M").output == 2)
        #expect(try outputsStartedOnWorkers() == Array(repeating: 2, count: 64))
    }

    @Test func synchronousStartRunsInlineAndReturnsTheResult() throws {
        let engine = engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Chain", definition: Self.passChain)
        let result = try engine.startSyncExecution(stateMachine: "Chain", input: ["n": 21])
        #expect(result.output == ["n": 21, "doubled": 42])
        #expect(throws: EngineError.self) { try engine.startSyncExecution(stateMachine: "Nope") }
    }

    /// A result carries when its execution started and stopped (AWS's StartSyncExecution response has `startDate`
    /// and `stopDate`): the same instants DescribeExecution reports, to the millisecond, taken around the call; a
    /// Wait of one second shows in the difference. With a virtual clock (``Program/run(input:handlers:options:)``)
    /// the difference is the virtual time, 30 seconds of Wait that take no real time.
    @Test func resultsCarryTheirStartAndStopTimes() throws {
        let engine = engine()
        defer { engine.shutdown() }
        let definition = #"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"End":true}}}"#
        try engine.createStateMachine(name: "Wait", definition: definition)
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        let result = try engine.startSyncExecution(stateMachine: "Wait", input: ["n": 1])
        let after = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(result.status == .succeeded)
        #expect(before <= result.startDate && result.stopDate <= after, "\(before) \(result.startDate) \(result.stopDate) \(after)")
        // Timers are kept in whole milliseconds, so the Wait may end up to one before a second after the start.
        #expect(result.stopNanoseconds - result.startNanoseconds >= 999_000_000)
        let arn = try #require(engine.listExecutions(stateMachine: "Wait").first?.executionArn)
        let described = try #require(engine.describeExecution(arn))
        #expect(described.startDate == result.startDate)
        #expect(described.stopDate == result.stopDate)

        let finished = Mutex<ExecutionResult?>(nil)
        try engine.submitExecution(stateMachine: "Wait") { result in finished.withLock { $0 = result } }
        engine.waitUntilIdle()
        let submitted = try #require(finished.withLock { $0 })
        #expect(submitted.stopNanoseconds - submitted.startNanoseconds >= 999_000_000)

        var options = ExecutionOptions()
        options.clock = .virtual
        let program = Program(try StateMachine(definition: #"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":30,"End":true}}}"#))
        let virtual = program.run(input: [:], options: options)
        #expect(virtual.stopNanoseconds - virtual.startNanoseconds == 30_000_000_000)
    }

    /// Synchronous starts whose task completes on another thread at once: the caller's wait and the worker's
    /// report race (the run's one-word handshake), from several calling threads at once. Every call must return its
    /// own execution's result; none may hang.
    @Test func synchronousStartsRacingTheirCompletions() throws {
        let engine = engine()
        defer { engine.shutdown() }
        engine.handlers.register("arn:aws:lambda:us-east-1:123456789012:function:echo", .asynchronous { invocation, completion in
            DispatchQueue.global().async { completion.succeed(invocation.input) }
        })
        try engine.createStateMachine(name: "Echo", definition: #"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo","End":true}}}
            """#)
        let wrong = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for n in 0..<300 {
                let input: JSONValue = ["thread": .int(Int64(thread)), "n": .int(Int64(n))]
                let result = try? engine.startSyncExecution(stateMachine: "Echo", input: input)
                if result?.output != input { wrong.add(1, ordering: .relaxed) }
            }
        }
        #expect(wrong.load(ordering: .relaxed) == 0)
        // The callers' starts all count on the stripe threads outside the pool share (atomic adds there, where a
        // worker's own stripe takes a load and a store): none may be lost.
        #expect(engine.counters == EngineCounters(started: 2_400, succeeded: 2_400, stateTransitions: 2_400))
    }

    @Test func parkedExecutionsResumeOnTheWorkers() throws {
        let engine = engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Wait", definition: #"""
            {"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"Next":"P"},"P":{"Type":"Pass","End":true}}}
            """#)
        for _ in 0..<1000 { try engine.startExecution(stateMachine: "Wait", input: ["x": 1]) }
        let result = try engine.startSyncExecution(stateMachine: "Wait", input: ["sync": true])
        #expect(result.output == ["sync": true])
        engine.waitUntilIdle()
        #expect(engine.counters.succeeded == 1001)
    }

    @Test func mapOfTenThousandItemsKeepsOrder() throws {
        let engine = engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Map", definition: #"""
            {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","End":true,
              "ItemProcessor":{"StartAt":"Inc","States":{"Inc":{"Type":"Pass","Parameters":{"v.$":"States.MathAdd($, 1)"},"OutputPath":"$.v","End":true}}}}}}
            """#)
        let items = (0..<10_000).map { JSONValue.int(Int64($0)) }
        let result = try engine.startSyncExecution(stateMachine: "Map", input: ["items": .array(items)])
        #expect(result.output == .array((1...10_000).map { JSONValue.int(Int64($0)) }))
    }

    @Test func handlersThatThrowDelayOrCompleteLateAllReachATerminalState() throws {
        let engine = engine()
        defer { engine.shutdown() }
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:chaos"
        engine.handlers.register(arn, .asynchronous { invocation, completion in
            let n = invocation.input["n"]?.integerValue ?? 0
            switch n % 4 {
            case 0: completion.succeed(["n": .int(n)])
            case 1: completion.fail(ExecutionFailure(error: "Chaos.Error", cause: "n=\(n)"))
            case 2: DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) { completion.succeed(["n": .int(n)]) }
            default: DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(4000)) { completion.succeed("late") }
            }
        })
        try engine.createStateMachine(name: "Chaos", definition: #"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(arn)","TimeoutSeconds":3,"End":true,
              "Catch":[{"ErrorEquals":["Chaos.Error"],"Next":"Caught"}]},"Caught":{"Type":"Pass","Result":"caught","End":true}}}
            """#)
        let outcomes = Locked<[Int: ExecutionResult]>([:])
        for n in 0..<400 {
            try engine.startExecution(stateMachine: "Chaos", input: ["n": .int(Int64(n))]) { result in
                outcomes.withLock { $0[n] = result }
            }
        }
        engine.waitUntilIdle()
        let results = outcomes.withLock { $0 }
        #expect(results.count == 400)
        for (n, result) in results {
            switch n % 4 {
            case 0, 2: #expect(result.output == ["n": .int(Int64(n))])
            case 1: #expect(result.output == "caught")
            default: #expect(result.error == "States.Timeout")
            }
        }
        let counters = engine.counters
        #expect(counters.started == 400 && counters.succeeded == 300 && counters.failed == 100 && counters.running == 0)
    }

    @Test func stopRacesCompletionAndEverythingIsAccountedFor() throws {
        let engine = engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Wait", definition: #"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"End":true}}}"#)
        var arns: [String] = []
        for _ in 0..<200 { arns.append(try engine.startExecution(stateMachine: "Wait")) }
        let toStop = arns
        DispatchQueue.concurrentPerform(iterations: 100) { index in try? engine.stopExecution(toStop[index], error: "Stopped", cause: "test") }
        engine.waitUntilIdle()
        let counters = engine.counters
        #expect(counters.aborted == 100)
        #expect(counters.succeeded == 100)
        #expect(engine.describeExecution(arns[0])?.status == .aborted)
        #expect(engine.describeExecution(arns[0])?.error == "Stopped")
        #expect(engine.describeExecution(arns[199])?.status == .succeeded)
        #expect(throws: EngineError.self) { try engine.stopExecution("arn:aws:states:us-east-1:1:express:none") }
    }

    @Test func executionTimeoutEndsTimedOut() throws {
        let engine = engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Slow", definition: #"{"StartAt":"W","TimeoutSeconds":1,"States":{"W":{"Type":"Wait","Seconds":30,"End":true}}}"#)
        let result = try engine.startSyncExecution(stateMachine: "Slow")
        #expect(result.status == .timedOut)
        #expect(result.error == "States.Timeout")
    }

    @Test func finishedExecutionsAreRetainedInABoundedRing() throws {
        let engine = engine { $0.retainedExecutions = 10; $0.historyLevel = .all }
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Chain", definition: Self.passChain)
        var arns: [String] = []
        // One at a time, so that they finish in this order (executions running at once may finish in any order).
        for n in 0..<25 {
            arns.append(try engine.startExecution(stateMachine: "Chain", input: ["n": .int(Int64(n))], name: "run-\(n)"))
            engine.waitUntilIdle()
        }
        #expect(engine.listExecutions(stateMachine: "Chain").count == 10)
        #expect(engine.describeExecution(arns[0]) == nil)
        let last = try #require(engine.describeExecution(arns[24]))
        #expect(last.name == "run-24")
        #expect(last.output == ["n": 24, "doubled": 48])
        let history = try #require(engine.executionHistory(arns[24]))
        #expect(history.compactMap { $0["type"]?.stringValue } == [
            "ExecutionStarted", "PassStateEntered", "PassStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded",
        ])
    }

    /// The ring keeps a segment per thread that finishes executions (each worker, and the callers of synchronous
    /// starts, which finish inline) and shows them as one ring: with finishes alternating between this thread and the
    /// workers, the newest five by finish time are listed and found, and an older one that its segment still holds is
    /// not found.
    @Test func finishedRingSpansTheThreadsThatFinish() throws {
        let engine = engine { $0.retainedExecutions = 5 }
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Chain", definition: Self.passChain)
        var arns: [String] = []
        for n in 0..<12 {
            if n % 2 == 0 {
                _ = try engine.startSyncExecution(stateMachine: "Chain", input: ["n": .int(Int64(n))], name: "run-\(n)")
                arns.append(try #require(engine.listExecutions(stateMachine: "Chain").first?.executionArn))
            } else {
                arns.append(try engine.startExecution(stateMachine: "Chain", input: ["n": .int(Int64(n))], name: "run-\(n)"))
                engine.waitUntilIdle()
            }
            #expect(engine.listExecutions(stateMachine: "Chain").first?.name == "run-\(n)")
        }
        #expect(engine.listExecutions(stateMachine: "Chain").map(\.name) == (7..<12).reversed().map { "run-\($0)" })
        for n in 7..<12 { #expect(engine.describeExecution(arns[n])?.output == ["n": .int(Int64(n)), "doubled": .int(Int64(2 * n))]) }
        // run-6 finished on this thread, whose segment holds its last five (run-2 to run-10): held, but older than
        // the newest five.
        for n in 0..<7 { #expect(engine.describeExecution(arns[n]) == nil, "run-\(n)") }
        #expect(engine.executionHistory(arns[6]) == nil)
    }

    /// An execution's id names the worker that started it (its low six bits), which files it in that worker's
    /// stripe of the running set: executions started from completions on the workers, and from this thread, are
    /// all found by their ARN while they run, and stopped by it.
    @Test func executionsStartedOnWorkersAreFoundByTheirArn() throws {
        let engine = engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Wait", definition: #"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":30,"End":true}}}"#)
        try engine.createStateMachine(name: "Quick", definition: Self.passChain)
        let arns = Locked<[String]>([])
        for _ in 0..<50 {
            // The completion runs on a worker, which starts the waiting execution.
            try engine.submitExecution(stateMachine: "Quick", input: ["n": 1]) { _ in
                if let arn = try? engine.startExecution(stateMachine: "Wait") { arns.withLock { $0.append(arn) } }
            }
            arns.withLock { $0.append(try! engine.startExecution(stateMachine: "Wait")) }
        }
        while arns.withLock({ $0.count }) < 100 { usleep(1000) }
        let all = arns.withLock { $0 }
        for arn in all {
            #expect(engine.describeExecution(arn)?.status == .running, "\(arn)")
            try engine.stopExecution(arn, error: "Stopped", cause: "test")
        }
        engine.waitUntilIdle()
        #expect(engine.counters.aborted == 100)
        #expect(engine.listExecutions(stateMachine: "Wait").count == 100)
    }

    /// Executions submitted with a tag report to the engine's one tagged completion handler, each with its own tag
    /// and outcome, whether it runs through at once or parks; without a handler the start is refused.
    @Test func taggedExecutionsReportToTheEngineHandler() throws {
        let outcomes = Locked<[UInt64: JSONValue]>([:])  // not Mutex: ThreadSanitizer cannot see its locking
        let engine = engine { configuration in
            configuration.taggedCompletion = { tag, result in outcomes.withLock { $0[tag] = result.output ?? .null } }
        }
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Chain", definition: Self.passChain)
        try engine.createStateMachine(name: "Wait", definition: #"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"End":true}}}"#)
        for n in 0..<1_000 { try engine.submitExecution(stateMachine: "Chain", input: ["n": .int(Int64(n))], tag: UInt64(n)) }
        try engine.submitExecution(stateMachine: "Wait", input: ["waited": true], tag: 5_000)
        engine.waitUntilIdle()
        let reported = outcomes.withLock { $0 }
        #expect(reported.count == 1_001)
        #expect((0..<1_000).allSatisfy { reported[UInt64($0)] == ["n": .int(Int64($0)), "doubled": .int(Int64(2 * $0))] })
        #expect(reported[5_000] == ["waited": true])

        let untagged = self.engine()
        defer { untagged.shutdown() }
        try untagged.createStateMachine(name: "Chain", definition: Self.passChain)
        #expect(throws: EngineError(code: "NoTaggedCompletion",
                                    message: "submitExecution(tag:) needs EngineConfiguration.taggedCompletion to report the outcome to")) {
            try untagged.submitExecution(stateMachine: "Chain", tag: 1)
        }
        #expect(untagged.counters.started == 0)
    }

    /// A completion handler gets a success's output lent from the run (uncounted, ``RunState/withEndedResult(_:)``);
    /// what the handler keeps is its own copy, still intact once the run is freed. With a finished ring of one
    /// entry per thread, every run but the last few is freed long before the outputs kept from it are read; a lent
    /// output kept without its own count would be freed with its run (garbage, or a crash, and a report from the
    /// sanitizers these tests also run under).
    @Test func outputsKeptByHandlersOutliveTheirRuns() throws {
        let kept = Locked<[UInt64: JSONValue]>([:])  // not Mutex: ThreadSanitizer cannot see its locking
        let engine = engine { configuration in
            configuration.retainedExecutions = 1
            configuration.taggedCompletion = { tag, result in kept.withLock { $0[tag] = result.output } }
        }
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Copy", definition: #"""
            {"StartAt":"A","States":{"A":{"Type":"Pass","End":true,
             "Parameters":{"n.$":"$.n","text.$":"$.text","doubled.$":"States.MathAdd($.n, $.n)"}}}}
            """#)
        // Strings longer than 15 bytes live in storage of their own, counted like the object holding them.
        func input(_ n: Int) -> JSONValue { ["n": .int(Int64(n)), "text": .string("an execution's own text, number \(n)")] }
        for n in 0..<3_000 { try engine.submitExecution(stateMachine: "Copy", input: input(n), tag: UInt64(n)) }
        engine.waitUntilIdle()
        let outputs = kept.withLock { $0 }
        #expect(outputs.count == 3_000)
        #expect((0..<3_000).allSatisfy { n in
            outputs[UInt64(n)] == ["n": .int(Int64(n)), "text": .string("an execution's own text, number \(n)"), "doubled": .int(Int64(2 * n))]
        })
    }

    /// Runs one execution of a Task state (`taskFields` added to it) whose asynchronous handler completes after
    /// `delay` milliseconds, waits until it ends with `status`, runs `meanwhile`, pushes the execution out of the
    /// finished ring, and returns whether its run is still alive five seconds on. One worker and a ring of one entry
    /// per thread, so five executions started after it push it out deterministically.
    func runOutlivesItsExecution(taskFields: String, completingAfter delay: Int = 20,
                                 status: ExecutionDescription.Status = .succeeded, meanwhile: () -> Void = {}) throws -> Bool {
        let engine = engine { configuration in
            configuration.workers = 1
            configuration.retainedExecutions = 1
        }
        defer { engine.shutdown() }
        let resource = "arn:aws:lambda:us-east-1:123456789012:function:prompt"
        engine.handlers.register(resource, .asynchronous { _, completion in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(delay)) { completion.succeed(["done": true]) }
        })
        try engine.createStateMachine(name: "Prompt", definition: #"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(resource)",\#(taskFields),"End":true}}}
            """#)
        try engine.createStateMachine(name: "Quick", definition: #"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#)
        let arn = try engine.startExecution(stateMachine: "Prompt")
        weak var run = engine.registry.running(arn)
        #expect(run != nil)
        engine.waitUntilIdle()
        #expect(engine.describeExecution(arn)?.status == status)
        meanwhile()
        for _ in 0..<5 { try engine.startExecution(stateMachine: "Quick") }
        engine.waitUntilIdle()
        // A handler's late completion still to come holds the run until it has run (a slow machine may run it
        // late): waited for, up to five seconds.
        let deadline = Date().addingTimeInterval(5)
        while run != nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        return run != nil
    }

    /// A message that reaches a run after its end (here the completion of a task that had timed out, which ended
    /// the execution) is dropped, and the run is freed once the finished ring lets it go. (Kept in the ended run's
    /// inbox, it held the run through its graph, a cycle: every such execution leaked its run.)
    @Test func messagesAfterTheEndAreDropped() throws {
        // Timed out after a second; the handler completes at 1.2 s, while `meanwhile` waits.
        #expect(try !runOutlivesItsExecution(taskFields: #""TimeoutSeconds":1"#, completingAfter: 1_200, status: .failed) {
            Thread.sleep(forTimeInterval: 0.7)
        })
    }

    /// A task that completes well before its timeout and heartbeat deadline lets go of both timers: its run is
    /// freed once the finished ring lets it go, not a minute later when the timers would fire. (The timers held
    /// the run: at ten thousand executions a second, a 60-second timeout kept six hundred thousand finished runs.)
    @Test func tasksCompletedInTimeLetGoOfTheirTimers() throws {
        #expect(try !runOutlivesItsExecution(taskFields: #""TimeoutSeconds":60,"HeartbeatSeconds":30"#))
    }

    /// A submitted execution (whose ARN nobody was given) is filed among the running ones when it parks: listed
    /// as running, described and stopped by the ARN the list gives, and swept at its timeout like any other. One
    /// that runs through in one go goes straight to the finished ones and leaves nothing among the running.
    @Test func submittedExecutionsAreFiledWhenTheyPark() throws {
        let engine = engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Wait", definition: #"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":30,"End":true}}}"#)
        // A timeout long enough for the list below to see the execution running, even under ThreadSanitizer.
        try engine.createStateMachine(name: "Slow", definition: #"{"StartAt":"W","TimeoutSeconds":4,"States":{"W":{"Type":"Wait","Seconds":30,"End":true}}}"#)
        try engine.createStateMachine(name: "Quick", definition: Self.passChain)
        try engine.submitExecution(stateMachine: "Wait", input: ["n": 1])
        try engine.submitExecution(stateMachine: "Slow")
        for n in 0..<1_000 { try engine.submitExecution(stateMachine: "Quick", input: ["n": .int(Int64(n))]) }
        var running: [ExecutionDescription] = []
        for _ in 0..<3_000 where running.count < 2 {
            running = engine.listExecutions(status: .running)
            usleep(1_000)
        }
        #expect(Set(running.map(\.stateMachineName)) == ["Wait", "Slow"])
        let waiting = try #require(running.first { $0.stateMachineName == "Wait" })
        #expect(engine.describeExecution(waiting.executionArn)?.input == ["n": 1])
        try engine.stopExecution(waiting.executionArn, error: "Stopped", cause: "by the test")
        engine.waitUntilIdle()
        #expect(engine.describeExecution(waiting.executionArn)?.status == .aborted)
        let slow = try #require(running.first { $0.stateMachineName == "Slow" })
        #expect(engine.describeExecution(slow.executionArn)?.status == .timedOut)
        #expect(engine.listExecutions(status: .running).isEmpty)
        #expect(engine.listExecutions(stateMachine: "Quick", status: .succeeded).count == 998)  // the ring keeps 1,000
        #expect(engine.counters == EngineCounters(started: 1_002, succeeded: 1_000, timedOut: 1, aborted: 1,
                                                  stateTransitions: engine.counters.stateTransitions))
    }
}

/// The callback pattern through the engine: tokens completed from other threads, and AWS's errors for tokens
/// that are unknown, finished or timed out.
@Suite struct TaskTokenTests {
    static let definition = #"""
        {"StartAt":"Wait","States":{"Wait":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
           "Parameters":{"MessageBody":{"token.$":"$$.Task.Token","n.$":"$.n"}},"TimeoutSeconds":2,"End":true,
           "Catch":[{"ErrorEquals":["Rejected"],"Next":"Rejected"}]},"Rejected":{"Type":"Pass","Result":"rejected","End":true}}}
        """#

    @Test func tokensCompletedFromOtherThreads() throws {
        let engine = Engine(configuration: EngineConfiguration(workers: 2))
        defer { engine.shutdown() }
        // The "queue" the tasks send their tokens to.
        let sent = Locked<[(String, Int64)]>([])
        engine.handlers.register("arn:aws:states:::sqs:sendMessage.waitForTaskToken") { invocation in
            let body = invocation.input["MessageBody"]
            sent.withLock { $0.append((body?["token"]?.stringValue ?? "", body?["n"]?.integerValue ?? -1)) }
            return ["MessageId": "m"]
        }
        try engine.createStateMachine(name: "Callback", definition: Self.definition)
        let results = Locked<[Int64: ExecutionResult]>([:])
        for n in 0..<300 {
            try engine.startExecution(stateMachine: "Callback", input: ["n": .int(Int64(n))]) { result in
                results.withLock { $0[Int64(n)] = result }
            }
        }
        while sent.withLock({ $0.count }) < 300 { usleep(1000) }
        let tokens = sent.withLock { $0 }
        DispatchQueue.concurrentPerform(iterations: tokens.count) { index in
            let (token, n) = tokens[index]
            switch n % 3 {
            case 0: try? engine.sendTaskSuccess(taskToken: token, output: ["n": .int(n)])
            case 1:
                try? engine.sendTaskHeartbeat(taskToken: token)
                try? engine.sendTaskFailure(taskToken: token, error: "Rejected", cause: "no")
            default: break  // left to time out
            }
        }
        engine.waitUntilIdle()
        let outcomes = results.withLock { $0 }
        #expect(outcomes.count == 300)
        for (n, result) in outcomes {
            switch n % 3 {
            case 0: #expect(result.output == ["n": .int(n)])
            case 1: #expect(result.output == "rejected")
            default: #expect(result.error == "States.Timeout")
            }
        }
        // A completed token no longer exists; a timed-out one says so; a made-up one does not exist.
        let completed = tokens.first { $0.1 % 3 == 0 }!.0
        let timedOut = tokens.first { $0.1 % 3 == 2 }!.0
        #expect(throws: EngineError(code: "TaskDoesNotExist", message: "Task Does Not Exist: '\(completed)'")) {
            try engine.sendTaskSuccess(taskToken: completed, output: 1)
        }
        #expect(throws: EngineError(code: "TaskTimedOut", message: "Task Timed Out: '\(timedOut)'")) {
            try engine.sendTaskSuccess(taskToken: timedOut, output: 1)
        }
        #expect(throws: EngineError.self) { try engine.sendTaskHeartbeat(taskToken: "made-up") }
    }
}

/// Metrics through swift-metrics, with CloudWatch's names.
@Suite struct EngineMetricsTests {
    @Test func countsExecutionsByOutcome() throws {
        let metrics = TestMetrics()
        var configuration = EngineConfiguration(workers: 2)
        configuration.metricsFactory = metrics
        let engine = Engine(configuration: configuration)
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Choose", definition: #"""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.ok","BooleanEquals":true,"Next":"Yes"}],"Default":"No"},
             "Yes":{"Type":"Succeed"},"No":{"Type":"Fail","Error":"No"}}}
            """#)
        for n in 0..<10 { try engine.startExecution(stateMachine: "Choose", input: ["ok": .bool(n < 7)]) }
        engine.waitUntilIdle()
        #expect(try metrics.expectCounter("ExecutionsStarted").totalValue == 10)
        #expect(try metrics.expectCounter("ExecutionsSucceeded").totalValue == 7)
        #expect(try metrics.expectCounter("ExecutionsFailed").totalValue == 3)
        #expect(try metrics.expectCounter("StateTransitions").totalValue == 20)
        #expect(try metrics.expectTimer("ExecutionTime").values.count == 10)
    }
}
