import Dispatch
import Foundation
import Synchronization
import Testing
import QuickstepJSON
import QuickstepLanguage
@testable import QuickstepEngine

/// Loops of states that never park (Pass and Choice, synchronous tasks) keep their thread busy, so no timer or
/// message can reach them from outside; the VM looks up from such a loop every ``RunScheduler/loopBudget`` turns.
/// AWS ends a looping execution at its timeout (`States.Timeout`, as any other timeout) and stops it on
/// StopExecution; before the check, each of these executions ran forever and kept a worker (hence the time limit:
/// a regression fails instead of hanging).
@Suite(.timeLimit(.minutes(1))) struct BusyLoopTests {
    /// A loop that never ends: Pass, then a Choice that goes back to it unless `$.done` is present.
    static func endlessLoop(timeoutSeconds: Int?) -> String {
        let timeout = timeoutSeconds.map { #""TimeoutSeconds":\#($0),"# } ?? ""
        return #"""
            {"StartAt":"Spin",\#(timeout)"States":{
              "Spin":{"Type":"Pass","Next":"Check"},
              "Check":{"Type":"Choice","Choices":[{"Variable":"$.done","IsPresent":true,"Next":"Done"}],"Default":"Spin"},
              "Done":{"Type":"Succeed"}}}
            """#
    }

    func engine(fanOut: EngineConfiguration.FanOut = .whenIdle) -> Engine {
        var configuration = EngineConfiguration(workers: 2)
        configuration.fanOut = fanOut
        return Engine(configuration: configuration)
    }

    /// An endless loop with `TimeoutSeconds: 1` ends TIMED_OUT after about a second, and the worker it held runs
    /// other executions again.
    @Test func endlessLoopTimesOutOnTheEngine() throws {
        let engine = engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Loop", definition: Self.endlessLoop(timeoutSeconds: 1))
        try engine.createStateMachine(name: "Quick", definition: #"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#)
        let started = Date()
        let result = try engine.startSyncExecution(stateMachine: "Loop")
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == .timedOut)
        #expect(result.error == "States.Timeout")
        // The deadline is kept in milliseconds (as AWS's dates are), so the timeout may come up to one early.
        #expect(elapsed >= 0.999 && elapsed < 10, "\(elapsed) s")
        #expect(result.stopNanoseconds - result.startNanoseconds >= 999_000_000)
        let quick = try engine.startSyncExecution(stateMachine: "Quick", input: ["n": 1])
        #expect(quick.output == ["n": 1])
    }

    /// Loops started on the workers (two per worker, so that each worker's own queue holds a second one behind the
    /// first) all time out.
    @Test func loopsQueuedBehindLoopsTimeOut() throws {
        let engine = engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Loop", definition: Self.endlessLoop(timeoutSeconds: 1))
        for _ in 0..<4 { try engine.submitExecution(stateMachine: "Loop") }
        engine.waitUntilIdle()
        #expect(engine.counters == EngineCounters(started: 4, timedOut: 4, stateTransitions: engine.counters.stateTransitions))
    }

    /// StopExecution reaches a loop with no timeout of its own (the engine's limit is five minutes): it ends
    /// ABORTED with the given error and cause.
    @Test func stopExecutionStopsAnEndlessLoop() throws {
        let engine = engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Loop", definition: Self.endlessLoop(timeoutSeconds: nil))
        let finished = Mutex<ExecutionResult?>(nil)
        let arn = try engine.startExecution(stateMachine: "Loop") { result in finished.withLock { $0 = result } }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(engine.describeExecution(arn)?.status == .running)
        try engine.stopExecution(arn, error: "Stopped", cause: "by the test")
        engine.waitUntilIdle()
        let result = try #require(finished.withLock { $0 })
        #expect(result.status == .aborted)
        #expect(result.error == "Stopped")
        #expect(result.cause == "by the test")
    }

    /// Map iterations that loop on strands of their own (fan-out on every worker) end with the run: the root strand,
    /// parked on the join, is told of the timeout by them (and by the engine's sweep), and the iterations stop.
    @Test func loopingMapIterationsOnOtherStrandsTimeOut() throws {
        let engine = engine(fanOut: .always)
        defer { engine.shutdown() }
        let iteration = #"""
            {"StartAt":"Spin","States":{
              "Spin":{"Type":"Pass","Next":"Check"},
              "Check":{"Type":"Choice","Choices":[{"Variable":"$.done","IsPresent":true,"Next":"Done"}],"Default":"Spin"},
              "Done":{"Type":"Succeed"}}}
            """#
        try engine.createStateMachine(name: "Map", definition: #"""
            {"StartAt":"M","TimeoutSeconds":1,"States":{"M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":\#(iteration),"End":true}}}
            """#)
        let result = try engine.startSyncExecution(stateMachine: "Map", input: ["items": [1, 2, 3, 4]])
        #expect(result.status == .timedOut)
        #expect(result.error == "States.Timeout")
        engine.waitUntilIdle()
        #expect(engine.counters.running == 0)
    }

    /// A standalone run (virtual clock) of an endless loop ends TIMED_OUT too: its timeout is a timer in virtual
    /// time, which a loop that never parks would never let fire, so the loop is held to the wall clock.
    @Test func endlessLoopTimesOutInAStandaloneRun() throws {
        let result = try execute(Self.endlessLoop(timeoutSeconds: 1)) { $0.recordHistory = false }
        #expect(result.status == .timedOut)
        #expect(result.error == "States.Timeout")
    }

    /// A loop that ends by itself after many more turns than the budget between two looks runs to its end, with
    /// every turn counted: 10,000 turns of a counter.
    @Test func longFiniteLoopRunsToItsEnd() throws {
        let definition = #"""
            {"StartAt":"Init","States":{
              "Init":{"Type":"Pass","Result":0,"ResultPath":"$.i","Next":"Check"},
              "Check":{"Type":"Choice","Choices":[{"Variable":"$.i","NumericGreaterThanEquals":10000,"Next":"Done"}],"Default":"Inc"},
              "Inc":{"Type":"Pass","Parameters":{"i.$":"States.MathAdd($.i, 1)"},"Next":"Check"},
              "Done":{"Type":"Succeed"}}}
            """#
        let standalone = try execute(definition) { $0.recordHistory = false }
        #expect(standalone.output == ["i": 10_000])
        let engine = engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Count", definition: definition)
        let result = try engine.startSyncExecution(stateMachine: "Count")
        #expect(result.output == ["i": 10_000])
        // Init, then 10,000 turns of Check and Inc, then the last Check and Done.
        #expect(engine.counters.stateTransitions == 1 + 2 * 10_000 + 2)
    }
}
