import Dispatch
import Foundation
import Synchronization
import Testing
import QuickstepJSON
@testable import QuickstepEngine

/// How the engine may schedule: worker counts (one, as many as cores, more than cores) and each fan-out policy.
/// Every test below runs under each, and checks every execution's result, so a scheduling bug anywhere (a lost
/// wake-up, a child run twice, a join counted wrong) shows as a wrong or missing result.
struct SchedulerMode: CustomTestStringConvertible, Sendable {
    var workers: Int
    var fanOut: EngineConfiguration.FanOut

    var testDescription: String { "\(workers) workers, fan-out \(fanOut)" }

    static let all = [
        SchedulerMode(workers: 1, fanOut: .whenIdle),
        SchedulerMode(workers: 2, fanOut: .never),
        SchedulerMode(workers: 2, fanOut: .whenIdle),
        SchedulerMode(workers: 2, fanOut: .always),
        SchedulerMode(workers: 5, fanOut: .always),
    ]

    func engine() -> Engine {
        var configuration = EngineConfiguration(workers: workers)
        configuration.fanOut = fanOut
        return Engine(configuration: configuration)
    }
}

@Suite struct SchedulerModeTests {
    /// A Parallel of two branches, each a Map over `$.items` (item + 1 and item × 2), the second with MaxConcurrency 2.
    static let nestedMapInParallel = #"""
        {"StartAt":"Par","States":{"Par":{"Type":"Parallel","End":true,"Branches":[
          {"StartAt":"Inc","States":{"Inc":{"Type":"Map","ItemsPath":"$.items","End":true,
            "ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","Parameters":{"v.$":"States.MathAdd($, 1)"},"OutputPath":"$.v","End":true}}}}}},
          {"StartAt":"Dbl","States":{"Dbl":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,"End":true,
            "ItemProcessor":{"StartAt":"D","States":{"D":{"Type":"Pass","Parameters":{"v.$":"States.MathAdd($, $)"},"OutputPath":"$.v","End":true}}}}}}
        ]}}}
        """#

    @Test(arguments: SchedulerMode.all)
    func nestedMapInParallelForManyExecutions(mode: SchedulerMode) throws {
        let engine = mode.engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Nested", definition: Self.nestedMapInParallel)
        let wrong = Atomic<Int>(0)
        let count = 5_000
        for n in 0..<count {
            let items = (0..<5).map { JSONValue.int(Int64(n + $0)) }
            let expected: JSONValue = [.array(items.map { .int($0.integerValue! + 1) }), .array(items.map { .int($0.integerValue! * 2) })]
            try engine.startExecution(stateMachine: "Nested", input: ["items": .array(items)]) { result in
                if result.output != expected { wrong.add(1, ordering: .relaxed) }
            }
        }
        engine.waitUntilIdle()
        #expect(wrong.load(ordering: .relaxed) == 0)
        // Per execution: Par, Inc, Dbl, and 5 + 5 iterations of one state each.
        #expect(engine.counters == EngineCounters(started: count, succeeded: count, running: 0, stateTransitions: 13 * count))
    }

    /// A Map of 10,000 iterations, each calling an asynchronous handler that answers from another thread.
    @Test(arguments: SchedulerMode.all)
    func mapOfTenThousandAsynchronousTasksKeepsOrder(mode: SchedulerMode) throws {
        let engine = mode.engine()
        defer { engine.shutdown() }
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:square"
        engine.handlers.register(arn, .asynchronous { invocation, completion in
            let n = invocation.input.integerValue ?? 0
            if n % 2 == 0 {
                completion.succeed(.int(n * n))
            } else {
                DispatchQueue.global().async { completion.succeed(.int(n * n)) }
            }
        })
        try engine.createStateMachine(name: "Squares", definition: #"""
            {"StartAt":"M","States":{"M":{"Type":"Map","End":true,
              "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(arn)","End":true}}}}}}
            """#)
        let items = (0..<10_000).map { JSONValue.int(Int64($0)) }
        let result = try engine.startSyncExecution(stateMachine: "Squares", input: .array(items))
        #expect(result.output == .array((0..<10_000).map { JSONValue.int(Int64($0 * $0)) }))
        // The counters are updated after the outcome is handed over: wait for them.
        engine.waitUntilIdle()
        #expect(engine.counters.stateTransitions == 10_001)
    }

    /// One failing iteration fails the Map with its error (the others are cancelled); within the tolerated count the
    /// Map succeeds with null for each failed iteration.
    @Test(arguments: SchedulerMode.all)
    func failingIterationsAcrossStrands(mode: SchedulerMode) throws {
        let engine = mode.engine()
        defer { engine.shutdown() }
        func definition(tolerated: String) -> String {
            #"""
            {"StartAt":"M","States":{"M":{"Type":"Map","End":true\#(tolerated),
              "ItemProcessor":{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":-1,"Next":"Bad"}],"Default":"Ok"},
                "Bad":{"Type":"Fail","Error":"Item.Bad","Cause":"minus one"},"Ok":{"Type":"Pass","End":true}}}}}}
            """#
        }
        try engine.createStateMachine(name: "Strict", definition: definition(tolerated: ""))
        try engine.createStateMachine(name: "Tolerant", definition: definition(tolerated: #","ToleratedFailureCount":3"#))
        var items = (0..<1_000).map { JSONValue.int(Int64($0)) }
        for index in [10, 500, 990] { items[index] = -1 }
        let strict = try engine.startSyncExecution(stateMachine: "Strict", input: .array(items))
        #expect(strict.status == .failed)
        #expect(strict.error == "Item.Bad")
        #expect(strict.cause == "minus one")
        let tolerant = try engine.startSyncExecution(stateMachine: "Tolerant", input: .array(items))
        var expected = items
        for index in [10, 500, 990] { expected[index] = .null }
        #expect(tolerant.output == .array(expected))
        items[20] = -1
        let exceeded = try engine.startSyncExecution(stateMachine: "Tolerant", input: .array(items))
        #expect(exceeded.error == "States.ExceedToleratedFailureThreshold")
    }

    /// MaxConcurrency bounds the iterations in flight, whichever strands run them.
    @Test(arguments: SchedulerMode.all)
    func maxConcurrencyHoldsAcrossStrands(mode: SchedulerMode) throws {
        let engine = mode.engine()
        defer { engine.shutdown() }
        let inFlight = Atomic<Int>(0)
        let highest = Atomic<Int>(0)
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:slow"
        engine.handlers.register(arn, .asynchronous { invocation, completion in
            let now = inFlight.add(1, ordering: .relaxed).newValue
            var seen = highest.load(ordering: .relaxed)
            while now > seen, !highest.compareExchange(expected: seen, desired: now, ordering: .relaxed).exchanged {
                seen = highest.load(ordering: .relaxed)
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(2)) {
                inFlight.subtract(1, ordering: .relaxed)
                completion.succeed(invocation.input)
            }
        })
        try engine.createStateMachine(name: "Bounded", definition: #"""
            {"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":3,"End":true,
              "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(arn)","End":true}}}}}}
            """#)
        let items = JSONValue.array((0..<60).map { .int(Int64($0)) })
        let result = try engine.startSyncExecution(stateMachine: "Bounded", input: items)
        #expect(result.output == items)
        #expect(highest.load(ordering: .relaxed) <= 3)
        #expect(highest.load(ordering: .relaxed) >= 1)
    }

    /// Handlers inside iterations throw, answer late or not before the timeout; stops race all of it. Every
    /// execution ends, and each ends the way its input says.
    @Test(arguments: SchedulerMode.all)
    func chaosInsideMapsWithStops(mode: SchedulerMode) throws {
        let engine = mode.engine()
        defer { engine.shutdown() }
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:chaos"
        engine.handlers.register(arn, .asynchronous { invocation, completion in
            let n = invocation.input.integerValue ?? 0
            switch n % 4 {
            case 0: completion.succeed(.int(n))
            case 1: completion.fail(ExecutionFailure(error: "Chaos.Error", cause: "n=\(n)"))
            case 2: DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(5)) { completion.succeed(.int(n)) }
            default: DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(2500)) { completion.succeed("late") }
            }
        })
        try engine.createStateMachine(name: "Chaos", definition: #"""
            {"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemsPath":"$.items",
              "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(arn)","TimeoutSeconds":1,"End":true,
                "Retry":[{"ErrorEquals":["Chaos.Error"],"MaxAttempts":1,"IntervalSeconds":1,"BackoffRate":1}],
                "Catch":[{"ErrorEquals":["Chaos.Error"],"Next":"Caught"}]},
                "Caught":{"Type":"Pass","Result":"caught","End":true}}}}}}
            """#)
        // Execution k maps over four items k*4 ..< k*4+4 unless k is a multiple of 3 (then items are all ≡ 0 or 2 mod 4).
        let outcomes = Locked<[Int: ExecutionResult]>([:])
        var arns: [Int: String] = [:]
        for k in 0..<120 {
            let items: [JSONValue] = k % 3 == 0 ? [.int(Int64(k * 4)), .int(Int64(k * 4 + 2))] : (0..<4).map { .int(Int64(k * 4 + $0)) }
            arns[k] = try engine.startExecution(stateMachine: "Chaos", input: ["items": .array(items)]) { result in
                outcomes.withLock { $0[k] = result }
            }
        }
        let toStop = arns.filter { $0.key % 3 == 1 && $0.key % 2 == 0 }.map(\.value)
        DispatchQueue.concurrentPerform(iterations: toStop.count) { index in try? engine.stopExecution(toStop[index], error: "Stopped") }
        engine.waitUntilIdle()
        let results = outcomes.withLock { $0 }
        #expect(results.count == 120)
        for (k, result) in results {
            if k % 3 == 0 {
                #expect(result.output == [.int(Int64(k * 4)), .int(Int64(k * 4 + 2))])
            } else if k % 3 == 1 && k % 2 == 0 {
                // Stopped while its timeout-bound item was still in flight (1 s timeout, and a retry interval).
                #expect(result.status == .aborted)
                #expect(result.error == "Stopped")
            } else {
                // The item ≡ 3 mod 4 times out: States.Timeout is neither retried nor caught, so the Map fails.
                #expect(result.status == .failed)
                #expect(result.error == "States.Timeout")
            }
        }
        let counters = engine.counters
        #expect(counters.started == 120 && counters.running == 0)
        #expect(counters.succeeded + counters.failed + counters.aborted == 120)
    }
}

/// Where iterations run: spread over the workers, or kept on the execution's worker.
@Suite struct FanOutTests {
    /// Runs a Map of 40 iterations that each block their thread for a millisecond; returns the threads used.
    /// With `awaitSecondThread`, the first iteration on a thread waits (up to 5 s) until another thread has run
    /// one too, so a loaded machine that is slow to schedule the second worker cannot make the test flaky.
    func threadsUsed(workers: Int, fanOut: EngineConfiguration.FanOut, awaitSecondThread: Bool) throws -> Int {
        var configuration = EngineConfiguration(workers: workers)
        configuration.fanOut = fanOut
        let engine = Engine(configuration: configuration)
        defer { engine.shutdown() }
        let threads = Locked<Set<pthread_t>>([])
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:busy"
        engine.handlers.register(arn) { invocation in
            let isNew = threads.withLock { $0.insert(pthread_self()).inserted }
            if isNew && awaitSecondThread {
                for _ in 0..<5000 where threads.withLock({ $0.count }) < 2 { usleep(1000) }
            }
            usleep(1000)
            return invocation.input
        }
        try engine.createStateMachine(name: "Busy", definition: #"""
            {"StartAt":"M","States":{"M":{"Type":"Map","End":true,
              "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(arn)","End":true}}}}}}
            """#)
        let items = JSONValue.array((0..<40).map { .int(Int64($0)) })
        usleep(200_000)  // lets the workers start and find nothing to do
        let id = try engine.startExecution(stateMachine: "Busy", input: items)
        engine.waitUntilIdle()
        #expect(engine.describeExecution(id)?.output == items)
        return threads.withLock { $0.count }
    }

    @Test func alwaysSpreadsIterationsOverTheWorkers() throws {
        #expect(try threadsUsed(workers: 2, fanOut: .always, awaitSecondThread: true) == 2)
    }

    /// With the other worker idle, `whenIdle` hands it a share too.
    @Test func whenIdleSpreadsOverParkedWorkers() throws {
        #expect(try threadsUsed(workers: 2, fanOut: .whenIdle, awaitSecondThread: true) == 2)
    }

    @Test func neverKeepsIterationsOnOneWorker() throws {
        #expect(try threadsUsed(workers: 2, fanOut: .never, awaitSecondThread: false) == 1)
    }
}
