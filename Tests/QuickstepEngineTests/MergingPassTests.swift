import Testing
import QuickstepJSON
import QuickstepLanguage
@testable import QuickstepEngine

/// Pass states that merge a result into their input (a `Result`, Parameters or an InputPath, then a ResultPath) are
/// compiled to one `mergingPass` step: in a run that keeps no events or times it goes through the state at once,
/// and that must be indistinguishable from going through the state's instructions (the run that keeps its events
/// does that): the same output, the same state transitions counted, the same event ids quoted by error causes.
@Suite struct MergingPassTests {
    /// A counting loop of merging Passes (choice_heavy's shape) and one of each kind of step.
    static let loop = #"""
        {"StartAt":"Init","States":{
          "Init":{"Type":"Pass","Result":0,"ResultPath":"$.i","Next":"Check"},
          "Check":{"Type":"Choice","Choices":[{"Variable":"$.i","NumericGreaterThanEquals":3,"Next":"Pick"}],"Default":"Inc"},
          "Inc":{"Type":"Pass","Parameters":{"i.$":"States.MathAdd($.i, 1)"},"ResultPath":"$.tmp","Next":"Copy"},
          "Copy":{"Type":"Pass","InputPath":"$.tmp.i","ResultPath":"$.i","Next":"Check"},
          "Pick":{"Type":"Pass","InputPath":"$.obj","ResultPath":"$.picked.copy","Next":"Done"},
          "Done":{"Type":"Succeed"}}}
        """#

    @Test func mergingPassStatesAreOneStepEach() throws {
        let program = Program(try StateMachine(definition: Self.loop))
        let merging = program.disassembly().split(separator: "\n").filter { $0.contains("mergingPass") }
        #expect(merging.count == 4)
        #expect(merging.contains { $0.contains("Inc (Pass)") })
        // A Pass that ends its graph, or has an OutputPath, keeps its own instructions.
        let others = Program(try StateMachine(definition: #"""
            {"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"ResultPath":"$.a","OutputPath":"$.a","Next":"B"},
              "B":{"Type":"Pass","Result":2,"ResultPath":"$.b","End":true}}}
            """#))
        #expect(!others.disassembly().contains("mergingPass"))
    }

    /// Spec: the ResultPath merges each result into the state's input, so the loop counts to 3, the last
    /// `States.MathAdd` result stays at `$.tmp`, and the InputPath's object is copied under `$.picked`.
    @Test func theLoopGivesTheSameOutputWithAndWithoutAHistory() throws {
        let input: JSONValue = ["obj": ["k": "v"], "keep": true]
        let quiet = try execute(Self.loop, input: input) { $0.recordHistory = false }
        let recorded = try execute(Self.loop, input: input)
        let expected: JSONValue = ["obj": ["k": "v"], "keep": true, "i": 3, "tmp": ["i": 3], "picked": ["copy": ["k": "v"]]]
        #expect(quiet.output == expected)
        #expect(recorded.output == expected)
        #expect(eventTypes(recorded).filter { $0 == "PassStateEntered" }.count == 8)
    }

    /// A step or a ResultPath that fails does so with the state entered at the same event id, with a history or
    /// without: 4 (ExecutionStarted 1, P 2 and 3); the ResultPath's cause quotes the state's input.
    @Test func failuresQuoteTheSameEventIdAndInput() throws {
        for (state, error) in [
            (#"{"Type":"Pass","InputPath":"$.missing","ResultPath":"$.r","Next":"Done"}"#, "States.Runtime"),
            (#"{"Type":"Pass","Parameters":{"x.$":"$.missing"},"ResultPath":"$.r","Next":"Done"}"#, "States.Runtime"),
            (#"{"Type":"Pass","Result":1,"ResultPath":"$.list.x","Next":"Done"}"#, "States.ResultPathMatchFailure"),
        ] {
            let definition = #"""
                {"StartAt":"P","States":{"P":{"Type":"Pass","Next":"Bad"},"Bad":\#(state),"Done":{"Type":"Succeed"}}}
                """#
            let quiet = try execute(definition, input: ["list": [1, 2]]) { $0.recordHistory = false }
            let recorded = try execute(definition, input: ["list": [1, 2]])
            #expect(quiet.error == error, "\(state)")
            #expect(quiet.cause?.contains("(entered at the event id #4)") == true || error == "States.ResultPathMatchFailure",
                    "\(quiet.cause ?? "")")
            #expect(quiet.cause == recorded.cause, "\(state)")
        }
        // After a merging Pass (its entered and exited events 2 and 3), the next state is entered at 4.
        let after = #"""
            {"StartAt":"Merge","States":{"Merge":{"Type":"Pass","Result":1,"ResultPath":"$.r","Next":"Bad"},
              "Bad":{"Type":"Pass","Parameters":{"x.$":"$.missing"},"End":true}}}
            """#
        let quietAfter = try execute(after, input: [:]) { $0.recordHistory = false }
        #expect(quietAfter.cause?.contains("(entered at the event id #4)") == true, "\(quietAfter.cause ?? "")")
        #expect(quietAfter.cause == (try execute(after, input: [:])).cause)
        let mismatch = try execute(#"""
            {"StartAt":"Bad","States":{"Bad":{"Type":"Pass","Result":1,"ResultPath":"$.list.x","Next":"Done"},"Done":{"Type":"Succeed"}}}
            """#, input: ["list": [1, 2]]) { $0.recordHistory = false }
        #expect(mismatch.cause == #"Unable to apply ResultPath '$.list.x' to input '{"list":[1,2]}'"#)
    }

    /// An engine that keeps no events goes through merging Passes at once (at the top level, and in a Map's
    /// iterations, which count their states in their own graphs); one that keeps every execution's events goes
    /// through their instructions. Both count every state and give the same outputs.
    @Test func mergingPassesCountEveryStateTheyGoThrough() throws {
        let map = #"""
            {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","End":true,
              "ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"A","States":{
                "A":{"Type":"Pass","Parameters":{"n.$":"$.v"},"ResultPath":"$.r","Next":"B"},
                "B":{"Type":"Pass","End":true}}}}}}
            """#
        #expect(Program(try StateMachine(definition: map)).disassembly().contains("mergingPass     A (Pass)"))
        for definition in [Self.loop, map] {
            let (counters, outputs) = try runsWithAndWithoutEvents(definition, input: ["items": [["v": 1], ["v": 2]], "obj": 7])
            #expect(counters[0] == counters[1])
            #expect(counters[0].succeeded == 3)
            #expect(Set(outputs).count == 1, "\(outputs)")
            if definition == map { #expect(outputs.first == #"[{"v":1,"r":{"n":1}},{"v":2,"r":{"n":2}}]"#) }
        }
        // The loop: Init, four Checks, three Incs and Copies, Pick and Done.
        var configuration = EngineConfiguration(workers: 1)
        configuration.historyLevel = .off
        let engine = Engine(configuration: configuration)
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "Loop", definition: Self.loop)
        _ = try engine.startSyncExecution(stateMachine: "Loop", input: ["obj": 1])
        #expect(engine.counters.stateTransitions == 13)
    }
}

/// A merging Pass whose Parameters is an object and whose ResultPath is one member (`$.tmp`) writes its object into
/// the object already there when that one is held by nothing else and has room, instead of making a new one
/// (`objectIntoMember`). Every value is evaluated before anything is written, so the old object can be read by the
/// template, and an old object that a new value holds must not be reused. Each case runs quietly (the fused step)
/// and with a history (the state's own instructions), which must agree with each other and with the spec.
@Suite struct ObjectIntoMemberTests {
    func outputs(_ definition: String, input: JSONValue) throws -> (quiet: ExecutionResult, recorded: ExecutionResult) {
        (try execute(definition, input: input) { $0.recordHistory = false }, try execute(definition, input: input))
    }

    @Test func theFusedStepIsUsedForObjectTemplatesIntoOneMember() throws {
        let program = Program(try StateMachine(definition: MergingPassTests.loop))
        let passes = program.tables.mergingPasses
        #expect(passes.contains { if case .objectIntoMember = $0.step { true } else { false } })
        // A template into a path of two members or into `$`, or a template that is a constant (no `.$` member),
        // takes the general step.
        let others = Program(try StateMachine(definition: #"""
            {"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"$.n"},"ResultPath":"$.a.b","Next":"B"},
              "B":{"Type":"Pass","Parameters":{"x.$":"$.n"},"ResultPath":"$","Next":"C"},
              "C":{"Type":"Pass","Parameters":{"x":1},"ResultPath":"$.c","Next":"D"},"D":{"Type":"Succeed"}}}
            """#))
        #expect(!others.tables.mergingPasses.contains { if case .objectIntoMember = $0.step { true } else { false } })
    }

    /// Spec (ResultPath): each state's result replaces `$.tmp`, and `prev.$` copies the previous `$.tmp` whole, so
    /// the objects nest: reusing an object a new value holds would overwrite the value it is part of.
    @Test func anOldObjectTheNewValueHoldsIsKept() throws {
        let definition = #"""
            {"StartAt":"Init","States":{
              "Init":{"Type":"Pass","Parameters":{"n":0},"ResultPath":"$.tmp","Next":"Step"},
              "Step":{"Type":"Pass","Parameters":{"n.$":"States.MathAdd($.tmp.n, 1)","prev.$":"$.tmp"},"ResultPath":"$.tmp","Next":"Check"},
              "Check":{"Type":"Choice","Choices":[{"Variable":"$.tmp.n","NumericGreaterThanEquals":3,"Next":"Done"}],"Default":"Step"},
              "Done":{"Type":"Succeed"}}}
            """#
        let (quiet, recorded) = try outputs(definition, input: ["keep": 1])
        let expected: JSONValue = ["keep": 1, "tmp": ["n": 3, "prev": ["n": 2, "prev": ["n": 1, "prev": ["n": 0]]]]]
        #expect(quiet.output == expected)
        #expect(recorded.output == expected)
    }

    /// The first state's input is the caller's value (and the execution's input, `$$.Execution.Input`): its member
    /// object is held once, by an object that is shared, so it must not be changed in place either. Spec: a value
    /// passed in is a value; the output has the new member.
    @Test func anObjectInASharedObjectIsKept() throws {
        let definition = #"""
            {"StartAt":"Write","States":{
              "Write":{"Type":"Pass","Parameters":{"x.$":"$.n"},"ResultPath":"$.tmp","Next":"Done"},
              "Done":{"Type":"Succeed"}}}
            """#
        let input: JSONValue = ["n": 1, "tmp": ["a": 1]]
        let (quiet, recorded) = try outputs(definition, input: input)
        let expected: JSONValue = ["n": 1, "tmp": ["x": 1]]
        #expect(quiet.output == expected)
        #expect(recorded.output == expected)
        #expect(input == ["n": 1, "tmp": ["a": 1]])
    }

    /// Spec: the member's old value, whatever it was (a number, a smaller object, an object with other keys), is
    /// replaced by the new object with exactly the template's members, in the template's order.
    @Test func theNewObjectReplacesWhateverWasThere() throws {
        let definition = #"""
            {"StartAt":"One","States":{
              "One":{"Type":"Pass","Parameters":{"a.$":"$.seed"},"ResultPath":"$.tmp","Next":"Two"},
              "Two":{"Type":"Pass","Parameters":{"b.$":"$.tmp.a","c":"text"},"ResultPath":"$.tmp","Next":"Three"},
              "Three":{"Type":"Pass","Parameters":{"d.$":"$.tmp.c"},"ResultPath":"$.tmp","Next":"Four"},
              "Four":{"Type":"Pass","Parameters":{"e.$":"$.tmp.d"},"ResultPath":"$.tmp","Next":"Done"},
              "Done":{"Type":"Succeed"}}}
            """#
        for input: JSONValue in [["seed": 7, "tmp": 5], ["seed": 7], ["seed": 7, "tmp": ["z": 1, "y": 2, "x": 3]]] {
            let (quiet, recorded) = try outputs(definition, input: input)
            var expected = input.objectValue!
            expected["tmp"] = ["e": "text"]
            #expect(quiet.output == .object(expected), "\(input)")
            #expect(recorded.output == .object(expected), "\(input)")
            #expect(quiet.output?["tmp"]?.objectValue?.keys == ["e"])
        }
    }

    /// A value that fails leaves the input as it was and fails the state (`States.Runtime`, AWS's cause for a
    /// missing `field.$` path); an input that is not an object cannot take the member
    /// (`States.ResultPathMatchFailure`, the cause quoting the input).
    @Test func failuresAreTheGeneralStepsFailures() throws {
        let missing = #"""
            {"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"ok":1,"x.$":"$.missing"},"ResultPath":"$.tmp","Next":"Done"},
              "Done":{"Type":"Succeed"}}}
            """#
        let (quiet, recorded) = try outputs(missing, input: ["tmp": ["a": 1]])
        #expect(quiet.error == "States.Runtime")
        #expect(quiet.cause == recorded.cause)
        #expect(quiet.cause?.contains("The JSONPath '$.missing' specified for the field 'x.$' could not be found in the input") == true)
        let array = #"""
            {"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"x":1},"ResultPath":"$.tmp","Next":"Done"},
              "Done":{"Type":"Succeed"}}}
            """#
        let (quietArray, recordedArray) = try outputs(array, input: [1, 2])
        #expect(quietArray.error == "States.ResultPathMatchFailure")
        #expect(quietArray.cause == "Unable to apply ResultPath '$.tmp' to input '[1,2]'")
        #expect(quietArray.cause == recordedArray.cause)
    }
}
