import Dispatch
import Foundation
import Synchronization
import Testing
@testable import QuickstepEngine
import QuickstepJSON
import QuickstepLanguage

/// Choice, Wait, Fail, Retry and Catch, Map and Parallel, timeouts: behaviour from the ASL specification, timed on
/// the virtual clock.
@Suite struct ControlFlowTests {
    static let flaky = "arn:aws:lambda:us-east-1:123456789012:function:flaky"

    @Test func choiceFallsThroughToDefaultAndFailsWithoutOne() throws {
        let definition = #"""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
               {"And":[{"Variable":"$.n","NumericGreaterThan":10},{"Not":{"Variable":"$.s","StringMatches":"skip*"}}],"Next":"Big"},
               {"Variable":"$.t","TimestampLessThan":"2020-01-01T00:00:00Z","Next":"Old"}]\#(",\"Default\":\"Other\"")},
             "Big":{"Type":"Pass","Result":"big","End":true},"Old":{"Type":"Pass","Result":"old","End":true},
             "Other":{"Type":"Pass","Result":"other","End":true}}}
            """#
        #expect(try execute(definition, input: ["n": 11, "s": "go"]).output == "big")
        #expect(try execute(definition, input: ["n": 11, "s": "skip-me", "t": "2019-06-01T00:00:00+02:00"]).output == "old")
        #expect(try execute(definition, input: ["n": 1, "t": "not a timestamp"]).output == "other")
        let noDefault = try execute(#"""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","IsPresent":true,"Next":"D"}]},
             "D":{"Type":"Succeed"}}}
            """#)
        #expect(noDefault.error == "States.NoChoiceMatched")
    }

    @Test func waitTakesVirtualTime() throws {
        let result = try execute(#"""
            {"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s","Next":"Done"},"Done":{"Type":"Succeed"}}}
            """#, input: ["s": 90])
        #expect(result.status == .succeeded)
        let entered = result.history.first { $0["type"] == "WaitStateEntered" }!
        let exited = result.history.first { $0["type"] == "WaitStateExited" }!
        #expect(milliseconds(exited) - milliseconds(entered) == 90_000)
    }

    @Test func failState() throws {
        let result = try execute(#"{"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$.e","Cause":"because"}}}"#,
                                 input: ["e": "Custom.Error"])
        #expect(result.status == .failed)
        #expect(result.error == "Custom.Error")
        #expect(result.cause == "because")
    }

    @Test func retryBacksOffThenCatchTakesOver() throws {
        let calls = Locked(0)
        let handlers = TaskHandlerRegistry()
        handlers.register(Self.flaky) { (_) throws(ExecutionFailure) -> JSONValue in
            calls.withLock { $0 += 1 }
            throw ExecutionFailure(error: "Flaky.Error", cause: "try again")
        }
        let result = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(Self.flaky)","Next":"Done",
               "Retry":[{"ErrorEquals":["Flaky.Error"],"IntervalSeconds":2,"MaxAttempts":3,"BackoffRate":3,"MaxDelaySeconds":10}],
               "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Caught"}]},
             "Done":{"Type":"Succeed"},"Caught":{"Type":"Pass","End":true}}}
            """#, input: ["order": 1], handlers: handlers)
        #expect(calls.withLock { $0 } == 4)
        #expect(result.output == ["order": 1, "error": ["Error": "Flaky.Error", "Cause": "try again"]])
        // Intervals 2 s, 6 s, then 18 s capped at 10 s.
        let scheduled = result.history.filter { $0["type"] == "LambdaFunctionScheduled" }.map(milliseconds)
        #expect(zip(scheduled.dropFirst(), scheduled).map { $0 - $1 } == [2000, 6000, 10_000])
    }

    /// A retrier's attempts count per visit of its state (the ASL specification: MaxAttempts is per state entry):
    /// a state entered again through a loop may retry again. Here each visit fails once and retries once.
    @Test func retryAttemptsStartAgainWhenTheStateIsEnteredAgain() throws {
        let calls = Locked(0)
        let handlers = TaskHandlerRegistry()
        handlers.register(Self.flaky) { (_) throws(ExecutionFailure) -> JSONValue in
            let call = calls.withLock { count in
                count += 1
                return count
            }
            if call % 2 == 1 { throw ExecutionFailure(error: "Flaky.Error", cause: "odd call") }
            return ["calls": .int(Int64(call))]
        }
        let result = try execute(#"""
            {"StartAt":"T","States":{
               "T":{"Type":"Task","Resource":"\#(Self.flaky)","ResultPath":"$.t","Next":"Again",
                    "Retry":[{"ErrorEquals":["Flaky.Error"],"IntervalSeconds":1,"MaxAttempts":1}]},
               "Again":{"Type":"Choice","Choices":[{"Variable":"$.t.calls","NumericLessThan":4,"Next":"T"}],"Default":"Done"},
               "Done":{"Type":"Succeed"}}}
            """#, handlers: handlers)
        #expect(result.status == .succeeded)
        #expect(result.output == ["t": ["calls": 4]])
    }

    /// A catcher whose ResultPath cannot be applied to the state's raw input (a string here) ends the execution
    /// with that failure: the state's catchers handle what the state raised, not what their own handler raised
    /// (the same catcher would take over again, forever; AWS ends such an execution, and so does the reference
    /// interpreter). The cause is the one a state's own ResultPath mismatch gives.
    @Test func aCatcherWhoseResultPathDoesNotApplyEndsTheExecution() throws {
        let handlers = TaskHandlerRegistry()
        handlers.register(Self.flaky) { (_) throws(ExecutionFailure) -> JSONValue in
            throw ExecutionFailure(error: "Broken", cause: "always")
        }
        let result = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(Self.flaky)","End":true,
               "Retry":[{"ErrorEquals":["States.ResultPathMatchFailure"],"MaxAttempts":5}],
               "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Done"}]},
             "Done":{"Type":"Succeed"}}}
            """#, input: "just a string", handlers: handlers)
        #expect(result.status == .failed)
        #expect(result.error == "States.ResultPathMatchFailure")
        #expect(result.cause == #"Unable to apply ResultPath '$.error' to input '"just a string"'"#)
        // The same catcher with a raw input it applies to.
        let caught = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(Self.flaky)","End":true,
               "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Done"}]},
             "Done":{"Type":"Succeed"}}}
            """#, input: ["a": 1], handlers: handlers)
        #expect(caught.output == ["a": 1, "error": ["Error": "Broken", "Cause": "always"]])
    }

    @Test func maxAttemptsZeroAndExhaustedRetrierStopRetrying() throws {
        let calls = Locked(0)
        let handlers = TaskHandlerRegistry()
        handlers.register(Self.flaky) { (_) throws(ExecutionFailure) -> JSONValue in
            calls.withLock { $0 += 1 }
            throw ExecutionFailure(error: "A", cause: nil)
        }
        // The first matching retrier (MaxAttempts 0) ends retrying; the later States.ALL retrier is not tried.
        let result = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(Self.flaky)","End":true,
               "Retry":[{"ErrorEquals":["A"],"MaxAttempts":0},{"ErrorEquals":["States.ALL"],"MaxAttempts":5}]}}}
            """#, handlers: handlers)
        #expect(calls.withLock { $0 } == 1)
        #expect(result.error == "A")
    }

    @Test func statesRuntimeIsNotCaughtByStatesAll() throws {
        let result = try execute(#"""
            {"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
               "Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","InputPath":"$.missing","End":true}}}],
               "Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}]},"C":{"Type":"Succeed"}}}
            """#)
        #expect(result.error == "States.Runtime")
    }

    @Test func parallelKeepsBranchOrderAndFailsWithTheBranchError() throws {
        let result = try execute(#"""
            {"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
               {"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":5,"Next":"A2"},"A2":{"Type":"Pass","Result":"a","End":true}}},
               {"StartAt":"B","States":{"B":{"Type":"Pass","Result":"b","End":true}}}]}}}
            """#)
        #expect(result.output == ["a", "b"])
        let failing = try execute(#"""
            {"StartAt":"P","States":{"P":{"Type":"Parallel","Next":"Done","Branches":[
               {"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":5,"Next":"A2"},"A2":{"Type":"Pass","End":true}}},
               {"StartAt":"B","States":{"B":{"Type":"Fail","Error":"Branch.Failed","Cause":"b"}}}],
               "Catch":[{"ErrorEquals":["Branch.Failed"],"Next":"Caught"}]},"Done":{"Type":"Succeed"},
             "Caught":{"Type":"Pass","End":true}}}
            """#)
        #expect(failing.output == ["Error": "Branch.Failed", "Cause": "b"])
    }

    /// A branch's failure stops its siblings, and whatever they started: here a Map iteration (two joins below the
    /// failed Parallel) parked in a Wait must not go on to its Task when the Wait ends, although the execution
    /// itself goes on (the Catch leads to a longer Wait). Per the ASL specification, a failed branch fails the whole
    /// Parallel state and the other branches are stopped.
    @Test func aFailedBranchStopsItsSiblingsNestedWork() throws {
        let calls = Locked(0)
        let handlers = TaskHandlerRegistry()
        handlers.register(Self.flaky) { (input) throws(ExecutionFailure) -> JSONValue in
            calls.withLock { $0 += 1 }
            return input.input
        }
        let result = try execute(#"""
            {"StartAt":"P","States":{"P":{"Type":"Parallel","Next":"Done","Branches":[
               {"StartAt":"Fails","States":{"Fails":{"Type":"Wait","Seconds":1,"Next":"F"},
                                            "F":{"Type":"Fail","Error":"Branch.Failed"}}},
               {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","End":true,"ItemProcessor":{
                  "StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"Next":"T"},
                                          "T":{"Type":"Task","Resource":"\#(Self.flaky)","End":true}}}}}},
               {"StartAt":"T2","States":{"T2":{"Type":"Wait","Seconds":10,"Next":"T3"},
                                          "T3":{"Type":"Task","Resource":"\#(Self.flaky)","End":true}}}],
               "Catch":[{"ErrorEquals":["Branch.Failed"],"Next":"Later"}]},
             "Later":{"Type":"Wait","Seconds":100,"Next":"Done"},"Done":{"Type":"Succeed"}}}
            """#, input: ["items": [1, 2]], handlers: handlers)
        #expect(result.status == .succeeded)
        #expect(calls.withLock { $0 } == 0)
        #expect(!eventTypes(result).contains("LambdaFunctionScheduled"))
    }

    @Test func mapRunsItemsInOrderWithSelectorAndConcurrencyLimit() throws {
        let result = try execute(#"""
            {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,
               "ItemSelector":{"value.$":"$$.Map.Item.Value","index.$":"$$.Map.Item.Index","shared.$":"$.shared"},
               "ItemProcessor":{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.value","Next":"Out"},
                 "Out":{"Type":"Pass","Parameters":{"i.$":"$.index","s.$":"$.shared"},"End":true}}},"End":true}}}
            """#, input: ["items": [3, 1, 2, 1], "shared": "x"])
        #expect(result.output == [["i": 0, "s": "x"], ["i": 1, "s": "x"], ["i": 2, "s": "x"], ["i": 3, "s": "x"]])
        // With two at a time: items 0 (3 s) and 1 (1 s) start; 2 starts at 1 s, 3 at 3 s; all done at 4 s.
        let started = result.history.filter { $0["type"] == "MapIterationStarted" }.map(milliseconds)
        let first = started[0]
        #expect(started.map { $0 - first } == [0, 0, 1000, 3000])
    }

    @Test func mapOverNonArrayIsARuntimeError() throws {
        let result = try execute(#"""
            {"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}
            """#, input: ["not": "an array"])
        #expect(result.error == "States.Runtime")
        #expect(result.cause?.hasSuffix("Map state input must be an array but was: {\"not\":\"an array\"}") == true)
    }

    @Test func asynchronousHandlerCompletesFromAnotherThread() throws {
        let handlers = TaskHandlerRegistry()
        handlers.register(Self.flaky, .asynchronous { invocation, completion in
            DispatchQueue.global().async { completion.succeed(["echo": invocation.input]) }
        })
        let result = try execute(#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(Self.flaky)","End":true}}}"#,
                                 input: ["n": 1], handlers: handlers) { $0.clock = .real }
        #expect(result.output == ["echo": ["n": 1]])
    }

    @Test func taskTimeoutDiscardsTheLateCompletion() throws {
        let handlers = TaskHandlerRegistry()
        let completions = Locked<[TaskCompletion]>([])
        handlers.register(Self.flaky, .asynchronous { _, completion in completions.withLock { $0.append(completion) } })
        let result = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(Self.flaky)","TimeoutSeconds":3,"End":true,
               "Retry":[{"ErrorEquals":["States.Timeout"],"MaxAttempts":1}]}}}
            """#, handlers: handlers)
        #expect(result.error == "States.Timeout")
        // Two attempts, each timed out; completing them now changes nothing.
        #expect(completions.withLock { $0.count } == 2)
        completions.withLock { $0.forEach { $0.succeed("late") } }
        #expect(result.status == .failed)
    }

    /// A standalone run that ends with its task's timeout and heartbeat timers still pending is freed when it
    /// returns: the timers are dropped. (Kept by the caller's host, they held the run through its graph, and the run
    /// held the host: a cycle that kept the run, and the handlers it was given, alive for good.) The run's
    /// resources hold the handler registry, so the registry going away shows the run went away.
    @Test func standaloneRunsEndingWithTimersPendingAreFreed() throws {
        weak var released: TaskHandlerRegistry?
        try {
            let handlers = TaskHandlerRegistry()
            handlers.register(Self.flaky, .asynchronous { _, completion in completion.succeed(["done": true]) })
            released = handlers
            let result = try execute(#"""
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(Self.flaky)","TimeoutSeconds":60,
                  "HeartbeatSeconds":30,"End":true}}}
                """#, handlers: handlers) { $0.clock = .real }
            #expect(result.output == ["done": true])
        }()
        #expect(released == nil)
    }

    @Test func executionTimeout() throws {
        let result = try execute(#"""
            {"StartAt":"W","TimeoutSeconds":5,"States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}
            """#)
        #expect(result.status == .timedOut)
        #expect(result.error == "States.Timeout")
    }

    @Test func jsonataStatesAreAnsweredWithAClearError() throws {
        let result = try execute(#"{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#)
        #expect(result.error == "States.Runtime")
        #expect(result.cause == "The state 'P' uses JSONata, which Quickstep does not evaluate yet")
    }
}

/// Heartbeats and task tokens for asynchronous handlers.
@Suite struct CallbackTests {
    static let worker = "arn:aws:states:::lambda:invoke.waitForTaskToken"

    @Test func taskTokenReachesParametersAndHandler() throws {
        let handlers = TaskHandlerRegistry()
        let seen = Locked<String?>(nil)
        handlers.register("arn:aws:lambda:us-east-1:123456789012:function:worker", .asynchronous { invocation, completion in
            seen.withLock { $0 = invocation.taskToken }
            completion.succeed(["tokenInPayload": invocation.input["token"] ?? nil])
        })
        let result = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(Self.worker)",
               "Parameters":{"FunctionName":"worker","Payload":{"token.$":"$$.Task.Token"}},"End":true}}}
            """#, handlers: handlers)
        let token = try #require(seen.withLock { $0 })
        #expect(token.count >= 32)
        // A callback task's result is what completed the token, unwrapped; the payload carried the same token.
        #expect(result.output == ["tokenInPayload": .string(token)])
    }

    @Test func missedHeartbeatFailsTheState() throws {
        let handlers = TaskHandlerRegistry()
        handlers.register("arn:aws:lambda:us-east-1:123456789012:function:slow", .asynchronous { _, _ in })
        let result = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:slow",
               "TimeoutSeconds":60,"HeartbeatSeconds":5,"End":true}}}
            """#, handlers: handlers)
        #expect(result.error == "States.HeartbeatTimeout")
        let scheduled = result.history.first { $0["type"] == "LambdaFunctionScheduled" }!
        let timedOut = result.history.first { $0["type"] == "LambdaFunctionTimedOut" }!
        #expect(milliseconds(timedOut) - milliseconds(scheduled) == 5000)
    }

    @Test func heartbeatsKeepTheTaskAlive() throws {
        let handlers = TaskHandlerRegistry()
        handlers.register("arn:aws:lambda:us-east-1:123456789012:function:beating", .asynchronous { _, completion in
            DispatchQueue.global().async {
                for _ in 0..<3 {
                    completion.heartbeat()
                    usleep(200_000)
                }
                completion.succeed("done")
            }
        })
        let result = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:beating",
               "HeartbeatSeconds":1,"End":true}}}
            """#, handlers: handlers) { $0.clock = .real }
        #expect(result.output == "done")
    }
}
