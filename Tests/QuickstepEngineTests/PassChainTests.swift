import Testing
import QuickstepJSON
import QuickstepLanguage
@testable import QuickstepEngine

/// Runs of pass-through states compiled to one `passChain` step: in a run that keeps no events or times, going
/// through the chain at once must be indistinguishable from going through its states one by one (the run that keeps
/// its events does that): the same output, the same state transitions counted, the same event ids quoted by error
/// causes.
@Suite struct PassChainTests {
    /// `count` Pass states in a line, named P1...Pn, the last going on to `last`.
    static func line(_ count: Int, then last: String) -> String {
        (1...count).map { #""P\#($0)":{"Type":"Pass","Next":"\#($0 == count ? last : "P\($0 + 1)")"}"# }
            .joined(separator: ",")
    }

    @Test func aRunOfPassStatesIsOneChainOfAtMostTheLongestLength() throws {
        let count = Compiler.longestPassChain + 6
        let program = Program(try StateMachine(definition: #"""
            {"StartAt":"P1","States":{\#(Self.line(count, then: "Done")),"Done":{"Type":"Succeed"}}}
            """#))
        let chains = program.disassembly().split(separator: "\n").filter { $0.contains("passChain") }
        // Every state but the last pass-through (Done, a Succeed, ends its graph and is one too) heads a chain.
        #expect(chains.count == count)
        #expect(chains.first?.contains("P1 .. P\(Compiler.longestPassChain) (\(Compiler.longestPassChain) states)") == true)
        #expect(chains.last?.contains("P\(count) .. Done (2 states)") == true)
    }

    /// A loop of Pass states (valid ASL when a Choice leads into it; it runs until the execution times out): a chain
    /// stops before a state it already went through, so compiling it ends.
    @Test func aLoopOfPassStatesCompilesToChainsThatStop() throws {
        let program = Program(try StateMachine(definition: #"""
            {"StartAt":"C","States":{
              "C":{"Type":"Choice","Choices":[{"Variable":"$.loop","BooleanEquals":true,"Next":"A"}],"Default":"Done"},
              "A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"},"Done":{"Type":"Succeed"}}}
            """#))
        let text = program.disassembly()
        #expect(text.contains("A .. B (2 states)"))
        #expect(text.contains("B .. A (2 states)"))
    }

    /// The state after a chain fails with a cause that quotes the event id it was entered at: 12 (ExecutionStarted
    /// is 1, and each of P1...P5 takes an entered and an exited event). The same with and without a history.
    @Test func theStateAfterAChainIsEnteredAtTheSameEventId() throws {
        let definition = #"""
            {"StartAt":"P1","States":{\#(Self.line(5, then: "Bad")),
              "Bad":{"Type":"Pass","Parameters":{"x.$":"$.missing"},"End":true}}}
            """#
        let quiet = try execute(definition, input: ["a": 1]) { $0.recordHistory = false }
        let recorded = try execute(definition, input: ["a": 1])
        #expect(quiet.error == "States.Runtime")
        #expect(quiet.cause?.contains("(entered at the event id #12)") == true)
        #expect(quiet.cause == recorded.cause)
        #expect(eventTypes(recorded).filter { $0 == "PassStateEntered" }.count == 6)
    }

    /// Choice states are entered and left in one step too when the run keeps no events or times: the second one,
    /// which matches nothing, is entered at event id 6 (ExecutionStarted 1, P 2 and 3, C1 4 and 5), as the cause of
    /// States.NoChoiceMatched says, with a history or without.
    @Test func aChoiceStateIsEnteredAtTheSameEventIdWithoutAHistory() throws {
        let definition = #"""
            {"StartAt":"P","States":{"P":{"Type":"Pass","Next":"C1"},
              "C1":{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":1,"Next":"C2"}],"Default":"Done"},
              "C2":{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":2,"Next":"Done"}]},
              "Done":{"Type":"Succeed"}}}
            """#
        let quiet = try execute(definition, input: ["a": 1]) { $0.recordHistory = false }
        let recorded = try execute(definition, input: ["a": 1])
        #expect(quiet.error == "States.NoChoiceMatched")
        #expect(quiet.cause?.contains("(entered at the event id #6)") == true)
        #expect(quiet.cause == recorded.cause)
    }

    /// An engine that keeps no events goes through chains at once (a Pass line, and a Map whose item processor is
    /// one); one that keeps every execution's events goes state by state. Both count every state.
    @Test func chainsCountEveryStateTheyGoThrough() throws {
        let definitions = [
            #"{"StartAt":"P1","States":{\#(Self.line(10, then: "Done")),"Done":{"Type":"Succeed"}}}"#,
            #"""
            {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","End":true,
              "ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"P1","States":{\#(Self.line(3, then: "Last")),
                "Last":{"Type":"Pass","End":true}}}}}}
            """#,
        ]
        for definition in definitions {
            let (counters, outputs) = try runsWithAndWithoutEvents(definition, input: ["items": [1, 2, 3, 4]])
            #expect(counters[0] == counters[1])
            #expect(counters[0].succeeded == 3)
            #expect(Set(outputs).count == 1)
        }
        // The line: 10 Pass states and Done, three times.
        var configuration = EngineConfiguration(workers: 1)
        configuration.historyLevel = .off
        let engine = Engine(configuration: configuration)
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Line", definition: definitions[0])
        _ = try engine.startSyncExecution(stateMachine: "Line", input: [:])
        #expect(engine.counters.stateTransitions == 11)
    }
}
