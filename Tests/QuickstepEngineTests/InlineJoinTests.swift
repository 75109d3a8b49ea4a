import Testing
import QuickstepEngine
import QuickstepJSON
import QuickstepLanguage

/// Map iterations whose item processor cannot park (Pass, Choice, Succeed, Fail only) run one after another on one
/// reused graph object. What must not change: the results and their order, the history (every
/// MapIterationStarted first, then each iteration to its end, in order, as when the iterations are queued on one
/// strand), failures that end the Map (later iterations never run), and tolerated failures.
@Suite struct MapInlineTests {
    /// Item 1 fails (a Fail state); the others pass through a Choice to a Pass.
    static func definition(tolerated: Int? = nil) -> String {
        let tolerance = tolerated.map { #","ToleratedFailureCount":\#($0)"# } ?? ""
        return #"""
            {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","End":true\#(tolerance),
              "ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"C","States":{
                "C":{"Type":"Choice","Choices":[{"Variable":"$.v","NumericEquals":1,"Next":"Boom"}],"Default":"Ok"},
                "Boom":{"Type":"Fail","Error":"Item.Failed","Cause":"item one"},
                "Ok":{"Type":"Pass","Parameters":{"doubled.$":"States.MathAdd($.v, $.v)"},"End":true}}}}}}
            """#
    }

    static let input: JSONValue = ["items": [["v": 0], ["v": 1], ["v": 2], ["v": 3], ["v": 4]]]

    func engine() throws -> Engine {
        var configuration = EngineConfiguration(workers: 1)
        configuration.fanOut = .never
        return Engine(configuration: configuration)
    }

    @Test func resultsInOrderAndTheHistoryAsWhenQueued() throws {
        let result = try execute(#"""
            {"StartAt":"M","States":{"M":{"Type":"Map","End":true,
              "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"x.$":"$"},"End":true}}}}}}
            """#, input: [10, 20, 30])
        #expect(result.output == [["x": 10], ["x": 20], ["x": 30]])
        let mapEvents = eventTypes(result).filter { $0.hasPrefix("Map") || $0.hasPrefix("Pass") }
        #expect(mapEvents == ["MapStateEntered", "MapStateStarted",
                              "MapIterationStarted", "MapIterationStarted", "MapIterationStarted",
                              "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
                              "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
                              "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
                              "MapStateSucceeded", "MapStateExited"])
        // Each iteration's index in its events, in order.
        let indexes = result.history.compactMap { $0["mapIterationSucceededEventDetails"]?["index"]?.integerValue }
        #expect(indexes == [0, 1, 2])
    }

    /// A failing iteration ends the Map: the execution fails with its error, and iterations 2 to 4 never run. States
    /// entered: M, then C and Ok for item 0, C and Boom for item 1: 5.
    @Test func aFailureStopsTheIterationsAfterIt() throws {
        let engine = try engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "M", definition: Self.definition())
        let result = try engine.startSyncExecution(stateMachine: "M", input: Self.input)
        #expect(result.status == .failed)
        #expect(result.error == "Item.Failed")
        #expect(result.cause == "item one")
        #expect(engine.counters.stateTransitions == 5)
    }

    /// With one failure tolerated, every iteration runs: M plus two states per item, 11; the failed item's result
    /// is null.
    @Test func toleratedFailuresLetEveryIterationRun() throws {
        let engine = try engine()
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "M", definition: Self.definition(tolerated: 1))
        let result = try engine.startSyncExecution(stateMachine: "M", input: Self.input)
        #expect(result.status == .succeeded)
        #expect(result.output == [["doubled": 0], nil, ["doubled": 4], ["doubled": 6], ["doubled": 8]])
        #expect(engine.counters.stateTransitions == 11)
    }

    /// Each iteration assigns a variable of its own (a scope made afresh for every item on the reused object) and
    /// reads the enclosing scope's.
    @Test func eachIterationAssignsItsOwnVariables() throws {
        let result = try execute(#"""
            {"StartAt":"Set","States":{"Set":{"Type":"Pass","Assign":{"outer":"o"},"Next":"M"},
              "M":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"Mark","States":{
                "Mark":{"Type":"Pass","Assign":{"mine.$":"$"},"Next":"Show"},
                "Show":{"Type":"Pass","Parameters":{"mine.$":"$mine","outer.$":"$outer"},"End":true}}}}}}
            """#, input: [1, 2])
        #expect(result.status == .succeeded, "\(result.error ?? "") \(result.cause ?? "")")
        #expect(result.output == [["mine": 1, "outer": "o"], ["mine": 2, "outer": "o"]])
    }

    /// Without a history, inline iterations take their MapIterationStarted ids in one step; the ids still count as
    /// when each is recorded. Item 2 has no `a` (it is a number), so its Choice fails, and the cause quotes the
    /// event id the Choice was entered at: the same with and without a history, and the one the history shows.
    @Test func iterationEventIdsAreTheSameWithoutAHistory() throws {
        let definition = #"""
            {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","End":true,
              "ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"C","States":{
                "C":{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":99,"Next":"D"}],"Default":"D"},
                "D":{"Type":"Succeed"}}}}}}
            """#
        let input: JSONValue = ["items": [["a": 0], ["a": 1], 7, ["a": 3]]]
        let withHistory = try execute(definition, input: input)
        let without = try execute(definition, input: input) { $0.recordHistory = false }
        #expect(withHistory.status == .failed)
        #expect(without.error == "States.Runtime")
        #expect(without.cause == withHistory.cause)
        // The third ChoiceStateEntered (item 2's) is the event the cause names.
        let entered = withHistory.history.filter { $0["type"] == "ChoiceStateEntered" }.compactMap { $0["id"]?.integerValue }
        #expect(entered.count == 3)
        #expect(without.cause?.contains("(entered at the event id #\(entered[2]))") == true, "\(without.cause ?? "")")
    }
}

/// Parallel branches that cannot park run inline too: outputs in branch order, each branch's events in order
/// after ParallelStateStarted, a failing branch fails the state (later branches never run).
@Suite struct ParallelInlineTests {
    @Test func branchesInOrderWithTheirHistory() throws {
        let result = try execute(#"""
            {"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
              {"StartAt":"A","States":{"A":{"Type":"Pass","Result":"a","End":true}}},
              {"StartAt":"B","States":{"B":{"Type":"Pass","Parameters":{"b.$":"$.x"},"End":true}}}]}}}
            """#, input: ["x": 1])
        #expect(result.output == ["a", ["b": 1]])
        let events = eventTypes(result).filter { $0.hasPrefix("Parallel") || $0.hasPrefix("Pass") }
        #expect(events == ["ParallelStateEntered", "ParallelStateStarted", "PassStateEntered", "PassStateExited",
                           "PassStateEntered", "PassStateExited", "ParallelStateSucceeded", "ParallelStateExited"])
        // Both branches' first events follow ParallelStateStarted.
        let started = result.history.first { $0["type"] == "ParallelStateStarted" }?["id"]
        let firstOfEach = result.history.filter { $0["type"] == "PassStateEntered" }.map { $0["previousEventId"] }
        #expect(firstOfEach == [started, started])
    }

    @Test func aFailingBranchFailsTheState() throws {
        var configuration = EngineConfiguration(workers: 1)
        configuration.fanOut = .never
        let engine = Engine(configuration: configuration)
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "P", definition: #"""
            {"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
              {"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},
              {"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Branch.Failed","Cause":"two"}}},
              {"StartAt":"C","States":{"C":{"Type":"Pass","End":true}}}]}}}
            """#)
        let result = try engine.startSyncExecution(stateMachine: "P")
        #expect(result.error == "Branch.Failed")
        #expect(result.cause == "two")
        // P, A, F: the third branch never ran.
        #expect(engine.counters.stateTransitions == 3)
    }
}
