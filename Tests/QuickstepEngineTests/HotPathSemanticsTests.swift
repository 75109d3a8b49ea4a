import Testing
@testable import QuickstepEngine
import QuickstepJSON
import QuickstepLanguage

/// Behaviour the fast paths must keep: ResultPath editing the raw input in place, Choice operators decided without
/// their names, byte-wise string comparison. Expected values are reasoned from the ASL specification next to each.
@Suite struct HotPathSemanticsTests {
    /// Every operator's family and relation, as its name spells them (the names are the specification's).
    @Test func choiceOperatorFamilyAndRelationFollowTheirNames() {
        for comparison in ChoiceOperator.allCases {
            let name = comparison.rawValue
            let family: ChoiceOperator.Family
            if comparison == .stringMatches { family = .stringMatch }
            else if name.hasPrefix("String") { family = .string }
            else if name.hasPrefix("Numeric") { family = .numeric }
            else if name.hasPrefix("Boolean") { family = .boolean }
            else if name.hasPrefix("Timestamp") { family = .timestamp }
            else { family = .typeTest }
            #expect(comparison.family == family, "\(name)")
            let base = name.hasSuffix("Path") ? String(name.dropLast(4)) : name
            let relation: ChoiceOperator.Relation
            if base.hasSuffix("GreaterThanEquals") { relation = .greaterOrEqual }
            else if base.hasSuffix("LessThanEquals") { relation = .lessOrEqual }
            else if base.hasSuffix("GreaterThan") { relation = .greater }
            else if base.hasSuffix("LessThan") { relation = .less }
            else { relation = .equal }
            #expect(comparison.relation == relation, "\(name)")
        }
    }

    /// The first state's ResultPath edits its raw input; `$$.Execution.Input` (the same JSON value) must not change.
    /// A path remembers where its members were found last (``MemberHints``), but only as where to look first: one
    /// program run on inputs whose members lie in different orders, or are missing, reads each input's own values
    /// (the second input has `y` first inside `x`; the fifth has no `y`, which fails as AWS fails a path that
    /// matches nothing).
    @Test func pathsFindMembersWhereverTheyLie() throws {
        let program = Program(try StateMachine(definition: #"""
            {"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.x.y","ResultPath":"$.found","Next":"Q"},
             "Q":{"Type":"Pass","Parameters":{"a.$":"$.a","y.$":"$.found"},"End":true}}}
            """#))
        let inputs: [JSONValue] = [
            ["a": 1, "b": 0, "x": ["q": 0, "y": "first"]],
            ["x": ["y": "second", "q": 0], "a": 2],
            ["b": 0, "c": 0, "d": 0, "a": 3, "x": ["q": 0, "r": 0, "y": "third"]],
            ["a": 4, "x": ["y": "fourth"]],
        ]
        for (n, input) in inputs.enumerated() {
            let output = program.run(input: input).output
            #expect(output == ["a": .int(Int64(n + 1)), "y": input["x"]!["y"]!], "input \(n)")
        }
        let missing = program.run(input: ["a": 5, "x": ["q": 0]])
        #expect(missing.error == "States.Runtime")
        #expect(missing.cause?.contains("Invalid path '$.x.y'") == true)
        #expect(program.run(input: ["x": ["y": "again"], "a": 6]).output == ["a": 6, "y": "again"])
    }

    /// Keys longer than 15 bytes are stored out of line, so the program's key and the input's (parsed apart) share
    /// no storage and are compared by their bytes: paths, Choice variables and ResultPaths still find them, in
    /// whatever order they come, and a key that differs only in its last byte is another key.
    @Test func longKeysAreFoundByTheirBytes() throws {
        let program = Program(try StateMachine(definition: #"""
            {"StartAt":"C","States":{
              "C":{"Type":"Choice","Choices":[{"Variable":"$.inventoryAvailable","BooleanEquals":true,"Next":"P"}],
                   "Default":"No"},
              "P":{"Type":"Pass","Parameters":{"v.$":"$.a_rather_long_member_name"},"ResultPath":"$.result_of_the_pass_state","Next":"Q"},
              "Q":{"Type":"Pass","Result":2,"ResultPath":"$.result_of_the_pass_state","End":true},
              "No":{"Type":"Pass","Result":"no","End":true}}}
            """#))
        let texts = [
            #"{"inventoryAvailable":true,"a_rather_long_member_name":1}"#,
            #"{"a_rather_long_member_name":2,"inventoryAvailablf":false,"inventoryAvailable":true}"#,
            #"{"a_rather_long_member_namf":0,"a_rather_long_member_name":3,"inventoryAvailable":true,"result_of_the_pass_statf":0}"#,
        ]
        for (n, text) in texts.enumerated() {
            let input = try JSONParser.parse(text)
            let output = program.run(input: input).output
            // Q replaced what P stored under the same long key: one member, in P's place (the last).
            #expect(output?["result_of_the_pass_state"] == 2, "input \(n)")
            #expect(output?.objectValue?.keys.last == "result_of_the_pass_state", "input \(n)")
            #expect(output?.objectValue?.count == (input.objectValue?.count ?? 0) + 1, "input \(n)")
        }
        // Only a near miss of the Choice variable's key: the variable is absent.
        let absent = program.run(input: try JSONParser.parse(#"{"inventoryAvailablf":true}"#))
        #expect(absent.error == "States.Runtime")
    }

    @Test func resultPathInPlaceLeavesTheExecutionInputAlone() throws {
        let result = try execute(#"""
            {"StartAt":"A","States":{
              "A":{"Type":"Pass","Result":1,"ResultPath":"$.added","Next":"B"},
              "B":{"Type":"Pass","Parameters":{"original.$":"$$.Execution.Input","now.$":"$"},"End":true}}}
            """#, input: ["keep": true])
        #expect(result.output == ["original": ["keep": true], "now": ["keep": true, "added": 1]])
    }

    /// A ResultPath into a result that is the raw input itself (a Pass without Result): the result must be the
    /// input as it was, not the object being edited.
    @Test func resultPathOfTheInputIntoItself() throws {
        let result = try execute(#"{"StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"$.copy","End":true}}}"#,
                                 input: ["a": 1])
        #expect(result.output == ["a": 1, "copy": ["a": 1]])
    }

    /// A ResultPath that does not apply fails with the raw input untouched: the Catch's own ResultPath writes the
    /// error into that raw input (spec: a catcher's ResultPath applies to the state's raw input).
    @Test func failedResultPathLeavesTheRawInputForTheCatcher() throws {
        let result = try execute(#"""
            {"StartAt":"A","States":{
              "A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo","ResultPath":"$.list[5]",
                   "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Done"}],"End":true},
              "Done":{"Type":"Succeed"}}}
            """#, input: ["list": [1, 2], "x": "y"], handlers: echoHandlers())
        #expect(result.status == .succeeded)
        #expect(result.output?["list"] == [1, 2])
        #expect(result.output?["x"] == "y")
        #expect(result.output?["error"]?["Error"] == "States.ResultPathMatchFailure")
    }

    /// States whose entry moves their input into the raw input (``CompiledState/movesInputToRawInput``): their
    /// first step (InputPath, Parameters, `Result`, InputPath null) reads it there, their ResultPath merges into it,
    /// a retry starts again from it, a Catch's ResultPath writes into it, and the history shows it as the state's
    /// input. Spec: InputPath and Parameters read the state's input; ResultPath merges into the state's raw input.
    @Test func statesThatMoveTheirInputReadItWhereItWent() throws {
        func run(_ state: String, _ input: JSONValue, handlers: TaskHandlerRegistry = TaskHandlerRegistry()) throws -> ExecutionResult {
            try execute(#"{"StartAt":"S","States":{"S":\#(state),"Done":{"Type":"Succeed"}}}"#, input: input, handlers: handlers)
        }
        let input: JSONValue = ["a": ["b": 1], "n": 2]
        let shapes: [(String, JSONValue)] = [
            (#"{"Type":"Pass","Parameters":{"v.$":"$.n"},"ResultPath":"$.r","Next":"Done"}"#, ["a": ["b": 1], "n": 2, "r": ["v": 2]]),
            (#"{"Type":"Pass","InputPath":"$.a","ResultPath":"$.r","Next":"Done"}"#, ["a": ["b": 1], "n": 2, "r": ["b": 1]]),
            (#"{"Type":"Pass","InputPath":"$.a","Parameters":{"c.$":"$.b"},"ResultPath":"$.r","Next":"Done"}"#,
             ["a": ["b": 1], "n": 2, "r": ["c": 1]]),
            (#"{"Type":"Pass","Result":7,"ResultPath":"$.r","Next":"Done"}"#, ["a": ["b": 1], "n": 2, "r": 7]),
            (#"{"Type":"Pass","InputPath":null,"ResultPath":"$.r","Next":"Done"}"#, ["a": ["b": 1], "n": 2, "r": [:]]),
        ]
        for (state, expected) in shapes {
            let result = try run(state, input)
            #expect(result.output == expected, "\(state)")
            let entered = result.history.first { $0["type"] == "PassStateEntered" }
            #expect(entered?["stateEnteredEventDetails"]?["input"]?.stringValue == input.compactText, "\(state)")
        }
        // An InputPath that matches nothing fails as it did before the move (the cause AWS gives).
        let missing = try run(#"{"Type":"Pass","InputPath":"$.none","ResultPath":"$.r","Next":"Done"}"#, input)
        #expect(missing.error == "States.Runtime")
        #expect(missing.cause == "An error occurred while executing the state 'S' (entered at the event id #2). "
                + "Invalid path '$.none' : No results for path: $['none']")
        // A retry evaluates Parameters again on the raw input, and the result merges into it.
        let calls = Locked(0)
        let handlers = retryAndCatchHandlers(countingFlakyCalls: calls)
        let retried = try run(#"""
            {"Type":"Task","Resource":"\#(flaky)","Parameters":{"v.$":"$.n"},"ResultPath":"$.r",
             "Retry":[{"ErrorEquals":["Flaky.Error"],"IntervalSeconds":1,"MaxAttempts":1}],"Next":"Done"}
            """#, input, handlers: handlers)
        #expect(retried.output == ["a": ["b": 1], "n": 2, "r": ["v": 2]])
        #expect(calls.withLock { $0 } == 2)
        // A Catch's ResultPath writes the error into the raw input the InputPath read from.
        let caught = try run(#"""
            {"Type":"Task","Resource":"\#(failing)","InputPath":"$.a","ResultPath":"$.r",
             "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Done"}],"Next":"Done"}
            """#, input, handlers: handlers)
        #expect(caught.output == ["a": ["b": 1], "n": 2, "error": ["Error": "Broken", "Cause": "always"]])
    }

    /// StringMatches and StringEquals compare code points: multi-byte characters match as themselves, and a
    /// precomposed "é" is not "e" + combining acute (Java, which AWS runs, does not normalise).
    @Test func stringComparisonsAreByCodePoint() throws {
        let definition = #"""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
              {"Variable":"$.s","StringMatches":"é*ü\\*","Next":"Glob"},
              {"Variable":"$.s","StringEquals":"é","Next":"Same"},
              {"Variable":"$.s","StringLessThan":"z","Next":"Less"}],"Default":"Other"},
             "Glob":{"Type":"Pass","Result":"glob","End":true},"Same":{"Type":"Pass","Result":"same","End":true},
             "Less":{"Type":"Pass","Result":"less","End":true},"Other":{"Type":"Pass","Result":"other","End":true}}}
            """#
        #expect(try execute(definition, input: ["s": "éxyzü*"]).output == "glob")
        #expect(try execute(definition, input: ["s": "éü*"]).output == "glob")
        // The escaped star is literal: without it at the end there is no match.
        #expect(try execute(definition, input: ["s": "éxyzü"]).output == "other")
        #expect(try execute(definition, input: ["s": "abc"]).output == "less")
        #expect(try execute(definition, input: ["s": "é"]).output == "same")
        // "e" + U+0301: not StringEquals "é"; "e" < "z", so StringLessThan holds.
        #expect(try execute(definition, input: ["s": "e\u{301}"]).output == "less")
        // U+00E9 sorts after "z" (U+007A): no rule holds.
        #expect(try execute(definition, input: ["s": "éa"]).output == "other")
    }

    /// StringEquals on texts stored inline (up to 15 UTF-8 bytes) and out of line (longer): equal texts match
    /// whatever their storage (the value parsed, the literal compiled), texts that differ in length or in one byte
    /// do not, and a short text never equals a long one.
    @Test func stringEqualsComparesTextsOfEveryLength() throws {
        let long = "a text longer than fifteen bytes, stored out of line"
        let definition = #"""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
              {"Variable":"$.s","StringEquals":"\#(long)","Next":"Long"},
              {"Variable":"$.s","StringEquals":"short","Next":"Short"}],"Default":"Other"},
             "Long":{"Type":"Pass","Result":"long","End":true},"Short":{"Type":"Pass","Result":"short","End":true},
             "Other":{"Type":"Pass","Result":"other","End":true}}}
            """#
        #expect(try execute(definition, input: ["s": .string(long)]).output == "long")
        #expect(try execute(definition, input: ["s": .string(String(long.dropLast()) + "E")]).output == "other")
        #expect(try execute(definition, input: ["s": .string(long + ".")]).output == "other")
        #expect(try execute(definition, input: ["s": "short"]).output == "short")
        #expect(try execute(definition, input: ["s": "shorter"]).output == "other")
        #expect(try execute(definition, input: ["s": "a text"]).output == "other")
    }

    /// The tests decided inline (``ChoiceTest/Shortcut``), each on values of every kind. Spec: a comparison of a
    /// value of another type is false (a boolean is no number, a number no string); IsNull and IsString ask for the
    /// value's type; a numeric `...Path` operand compares the two numbers, whatever their representation (integer or
    /// not), and an operand path that matches nothing is an error, States.Runtime.
    @Test func inlineTestsFollowTheSpecification() throws {
        func chosen(_ rule: String, _ input: JSONValue) throws -> String? {
            let definition = #"""
                {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.v",\#(rule),"Next":"Yes"}],
                 "Default":"No"},"Yes":{"Type":"Pass","Result":"yes","End":true},"No":{"Type":"Pass","Result":"no","End":true}}}
                """#
            let result = try execute(definition, input: input)
            return result.output?.stringValue ?? result.error
        }
        let kinds: [String: JSONValue] = ["null": .null, "string": "7", "int": 7, "double": 7.5, "bool": true,
                                          "array": [7], "object": ["v": 7]]
        for (kind, value) in kinds {
            #expect(try chosen(#""IsNull":true"#, ["v": value]) == (kind == "null" ? "yes" : "no"), "\(kind)")
            #expect(try chosen(#""IsNull":false"#, ["v": value]) == (kind == "null" ? "no" : "yes"), "\(kind)")
            #expect(try chosen(#""IsString":true"#, ["v": value]) == (kind == "string" ? "yes" : "no"), "\(kind)")
            #expect(try chosen(#""IsString":false"#, ["v": value]) == (kind == "string" ? "no" : "yes"), "\(kind)")
            #expect(try chosen(#""BooleanEquals":true"#, ["v": value]) == (kind == "bool" ? "yes" : "no"), "\(kind)")
            #expect(try chosen(#""BooleanEquals":false"#, ["v": value]) == "no", "\(kind)")
            #expect(try chosen(#""NumericEquals":7"#, ["v": value]) == (kind == "int" ? "yes" : "no"), "\(kind)")
            #expect(try chosen(#""NumericGreaterThanPath":"$.w""#, ["v": value, "w": 7]) == (kind == "double" ? "yes" : "no"),
                    "\(kind)")
            #expect(try chosen(#""NumericLessThanEqualsPath":"$.w""#, ["v": 7, "w": value])
                    == (kind == "int" || kind == "double" ? "yes" : "no"), "\(kind)")
        }
        // Every relation, both ways round, between an integer and a fraction.
        for (rule, less, equal, greater) in [("NumericLessThanPath", "yes", "no", "no"), ("NumericLessThanEqualsPath", "yes", "yes", "no"),
                                             ("NumericEqualsPath", "no", "yes", "no"), ("NumericGreaterThanEqualsPath", "no", "yes", "yes"),
                                             ("NumericGreaterThanPath", "no", "no", "yes")] {
            #expect(try chosen(#""\#(rule)":"$.w""#, ["v": 2, "w": 2.5]) == less, "\(rule)")
            #expect(try chosen(#""\#(rule)":"$.w""#, ["v": 2.0, "w": 2]) == equal, "\(rule)")
            #expect(try chosen(#""\#(rule)":"$.w""#, ["v": 3, "w": 2.5]) == greater, "\(rule)")
        }
        #expect(try chosen(#""NumericEqualsPath":"$.missing""#, ["v": 1]) == "States.Runtime")
    }

    /// ResultPath through members that exist, that do not (created as objects, appended last), and onto one that
    /// exists (replaced where it stands): the text shows the key order AWS keeps (insertion order).
    @Test func resultPathCreatesAppendsAndReplacesMembersInOrder() throws {
        func output(_ resultPath: String, _ input: JSONValue) throws -> String? {
            let definition = #"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":7,"ResultPath":"\#(resultPath)","End":true}}}"#
            return try execute(definition, input: input).output?.compactText
        }
        #expect(try output("$.a.b.c", ["a": ["x": 1], "z": 2]) == #"{"a":{"x":1,"b":{"c":7}},"z":2}"#)
        #expect(try output("$.a.b.c", ["z": 2]) == #"{"z":2,"a":{"b":{"c":7}}}"#)
        #expect(try output("$.a.x", ["a": ["x": 1, "y": 2], "z": 3]) == #"{"a":{"x":7,"y":2},"z":3}"#)
        #expect(try output("$.x", ["w": 0, "x": 1, "y": 2]) == #"{"w":0,"x":7,"y":2}"#)
        // Through something that is not an object: the path does not apply.
        let failed = try execute(#"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":7,"ResultPath":"$.a.b","End":true}}}"#,
                                 input: ["a": [1, 2]])
        #expect(failed.error == "States.ResultPathMatchFailure")
    }

    /// States that never read their raw input (a Pass without ResultPath, Choice, Wait) do not keep it; each state
    /// that does reads its own input, never one kept by an earlier state. Spec: ResultPath merges into the state's
    /// own input; `ResultPath: null` passes that input through; a Fail's CausePath reads the Fail's input.
    @Test func everyStateThatReadsItsRawInputReadsItsOwn() throws {
        let definition = #"""
            {"StartAt":"Shape","States":{
              "Shape":{"Type":"Pass","Parameters":{"v.$":"$.start"},"Next":"Merge"},
              "Merge":{"Type":"Pass","Result":2,"ResultPath":"$.merged","Next":"Pick"},
              "Pick":{"Type":"Choice","Choices":[{"Variable":"$.merged","NumericEquals":2,"Next":"Pause"}],"Default":"Wrong"},
              "Pause":{"Type":"Wait","Seconds":0,"Next":"Replace"},
              "Replace":{"Type":"Pass","Result":{"replaced":true},"Next":"Keep"},
              "Keep":{"Type":"Pass","Result":"dropped","ResultPath":null,"Next":"Again"},
              "Again":{"Type":"Pass","Result":"three","ResultPath":"$.again","Next":"End"},
              "End":{"Type":"Fail","Error":"E","CausePath":"$.again"},
              "Wrong":{"Type":"Fail","Error":"Wrong"}}}
            """#
        let failed = try execute(definition, input: ["start": 1])
        #expect(failed.error == "E")
        #expect(failed.cause == "three")
        let succeeding = definition.replacingOccurrences(of: #""Type":"Fail","Error":"E","CausePath":"$.again""#,
                                                         with: #""Type":"Succeed""#)
        let passed = try execute(succeeding, input: ["start": 1])
        #expect(passed.output == ["replaced": true, "again": "three"])
    }

    /// A Task keeps its raw input only for what reads it, and each of those still finds it. Spec: a retry runs the
    /// state again from its input (so Parameters are evaluated again on it); a Catch's ResultPath writes the error
    /// output into the state's input, and `ResultPath: null` passes that input through; TimeoutSecondsPath is read
    /// from the state's input (AWS, not the effective input). A Task with none of these needs nothing of it.
    @Test func tasksFindTheirRawInputWhereTheyReadIt() throws {
        let calls = Locked(0)
        let handlers = retryAndCatchHandlers(countingFlakyCalls: calls)
        // Retried: Parameters are evaluated again on the raw input.
        let retried = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(flaky)","Parameters":{"v.$":"$.start"},
               "Retry":[{"ErrorEquals":["Flaky.Error"],"IntervalSeconds":1,"MaxAttempts":1}],"End":true}}}
            """#, input: ["start": 1], handlers: handlers)
        #expect(retried.output == ["v": 1])
        #expect(calls.withLock { $0 } == 2)
        // Caught into the raw input, with the Task's own ResultPath the default `$`.
        let caught = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(failing)","InputPath":"$.inner",
               "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Done"}],"End":true},
             "Done":{"Type":"Succeed"}}}
            """#, input: ["inner": ["x": 1], "y": 2], handlers: handlers)
        #expect(caught.output == ["inner": ["x": 1], "y": 2, "error": ["Error": "Broken", "Cause": "always"]])
        let passedThrough = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(failing)","InputPath":"$.inner",
               "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":null,"Next":"Done"}],"End":true},
             "Done":{"Type":"Succeed"}}}
            """#, input: ["inner": ["x": 1], "y": 2], handlers: handlers)
        #expect(passedThrough.output == ["inner": ["x": 1], "y": 2])
        // A Catch whose ResultPath is `$`: the error output is the state's output.
        let replaced = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(failing)",
               "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Done"}],"End":true},
             "Done":{"Type":"Succeed"}}}
            """#, input: ["y": 2], handlers: handlers)
        #expect(replaced.output == ["Error": "Broken", "Cause": "always"])
        // TimeoutSecondsPath from the raw input, though InputPath narrows the effective input.
        let timed = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo",
               "InputPath":"$.inner","TimeoutSecondsPath":"$.timeout","End":true}}}
            """#, input: ["inner": ["x": 1], "timeout": 5], handlers: handlers)
        #expect(timed.status == .succeeded)
        #expect(timed.output == ["x": 1])
        // None of these: the result replaces the input, and a next state reads only that.
        let plain = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo",
               "Parameters":{"only.$":"$.inner"},"Next":"P"},"P":{"Type":"Pass","ResultPath":"$.again","End":true}}}
            """#, input: ["inner": 1, "other": 2], handlers: handlers)
        #expect(plain.output == ["only": 1, "again": ["only": 1]])
    }

    /// A Parallel or Map keeps its raw input only for what reads it, as a Task does, and each of those still finds
    /// it. Spec: a ResultPath merges the result into the state's input; a retry runs the state again from its input
    /// (InputPath applied again); a Catch's ResultPath writes the error output into the state's input and
    /// `ResultPath: null` passes that input through. With none of these the result replaces the input, and a Map's
    /// `MaxConcurrencyPath` is read from its effective input (after InputPath), not the raw one.
    @Test func forksFindTheirRawInputWhereTheyReadIt() throws {
        let calls = Locked(0)
        let handlers = retryAndCatchHandlers(countingFlakyCalls: calls)
        let input: JSONValue = ["inner": ["list": [1, 2], "limit": 1], "y": 2]
        func branch(_ resource: String) -> String {
            #"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"\#(resource)","End":true}}}"#
        }
        // Merged into the raw input, though InputPath narrowed the effective input.
        let merged = try execute(#"""
            {"StartAt":"P","States":{"P":{"Type":"Parallel","InputPath":"$.inner","ResultPath":"$.r",
               "Branches":[\#(branch("arn:aws:lambda:us-east-1:123456789012:function:echo"))],"Next":"M"},
             "M":{"Type":"Map","InputPath":"$.inner","ItemsPath":"$.list","ResultPath":"$.m",
               "ItemProcessor":{"StartAt":"Q","States":{"Q":{"Type":"Pass","End":true}}},"End":true}}}
            """#, input: input, handlers: handlers)
        #expect(merged.output == ["inner": ["list": [1, 2], "limit": 1], "y": 2, "r": [["list": [1, 2], "limit": 1]], "m": [1, 2]])
        // Retried: InputPath applied again to the raw input; the second attempt succeeds.
        let retried = try execute(#"""
            {"StartAt":"P","States":{"P":{"Type":"Parallel","InputPath":"$.inner.list","Branches":[\#(branch(flaky))],
               "Retry":[{"ErrorEquals":["Flaky.Error"],"IntervalSeconds":1,"MaxAttempts":1}],"End":true}}}
            """#, input: input, handlers: handlers)
        #expect(retried.output == [[1, 2]])
        #expect(calls.withLock { $0 } == 2)
        // Caught into the raw input, and passed through with `ResultPath: null`.
        for (resultPath, expected) in [(#""$.error""#, ["inner": ["list": [1, 2], "limit": 1], "y": 2,
                                                        "error": ["Error": "Broken", "Cause": "always"]] as JSONValue),
                                       ("null", input)] {
            let caught = try execute(#"""
                {"StartAt":"M","States":{"M":{"Type":"Map","InputPath":"$.inner","ItemsPath":"$.list",
                   "ItemProcessor":\#(branch(failing)),
                   "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":\#(resultPath),"Next":"Done"}],"End":true},
                 "Done":{"Type":"Succeed"}}}
                """#, input: input, handlers: handlers)
            #expect(caught.output == expected, "ResultPath \(resultPath)")
        }
        // None of these: the result replaces the input; MaxConcurrencyPath from the effective input.
        let replaced = try execute(#"""
            {"StartAt":"M","States":{"M":{"Type":"Map","InputPath":"$.inner","ItemsPath":"$.list",
               "MaxConcurrencyPath":"$.limit","ItemProcessor":{"StartAt":"Q","States":{"Q":{"Type":"Pass","End":true}}},
               "Next":"P"},"P":{"Type":"Pass","Parameters":{"all.$":"$"},"End":true}}}
            """#, input: input, handlers: handlers)
        #expect(replaced.output == ["all": [1, 2]])
    }

    private let flaky = "arn:aws:lambda:us-east-1:123456789012:function:flaky"
    private let failing = "arn:aws:lambda:us-east-1:123456789012:function:failing"

    /// The echo handler; `flaky`, which fails its first call (Flaky.Error) and echoes after, counting its calls in
    /// `calls`; and `failing`, which always fails (Broken).
    private func retryAndCatchHandlers(countingFlakyCalls calls: Locked<Int>) -> TaskHandlerRegistry {
        let handlers = echoHandlers()
        handlers.register(flaky) { (invocation) throws(ExecutionFailure) -> JSONValue in
            let call = calls.withLock { count in
                count += 1
                return count
            }
            if call == 1 { throw ExecutionFailure(error: "Flaky.Error", cause: "first call") }
            return invocation.input
        }
        handlers.register(failing) { (_) throws(ExecutionFailure) -> JSONValue in
            throw ExecutionFailure(error: "Broken", cause: "always")
        }
        return handlers
    }

    private func echoHandlers() -> TaskHandlerRegistry {
        let handlers = TaskHandlerRegistry()
        handlers.register("arn:aws:lambda:us-east-1:123456789012:function:echo") { $0.input }
        return handlers
    }
}
