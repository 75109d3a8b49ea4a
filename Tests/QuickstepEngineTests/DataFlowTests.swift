import Testing
import QuickstepEngine
import QuickstepJSON
import QuickstepLanguage

/// Input and output processing in AWS's order (asl-inventory.md section 2), with expected values reasoned from
/// the specification's examples.
@Suite struct DataFlowTests {
    @Test func inputParametersResultSelectorResultPathOutputPath() throws {
        let handlers = TaskHandlerRegistry()
        handlers.register("arn:aws:lambda:us-east-1:123456789012:function:add") { invocation in
            ["sum": .int((invocation.input["a"]?.integerValue ?? 0) + (invocation.input["b"]?.integerValue ?? 0)), "noise": true]
        }
        let result = try execute(#"""
            {"StartAt":"Add","States":{"Add":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:add",
              "InputPath":"$.numbers","Parameters":{"a.$":"$.x","b.$":"$.y"},
              "ResultSelector":{"total.$":"$.sum"},"ResultPath":"$.numbers.result","OutputPath":"$.numbers","End":true}}}
            """#, input: ["numbers": ["x": 2, "y": 40], "other": 1], handlers: handlers)
        #expect(result.status == .succeeded)
        // ResultPath merges into the raw input (not the effective input), then OutputPath selects.
        #expect(result.output == ["x": 2, "y": 40, "result": ["total": 42]])
    }

    @Test func nullPaths() throws {
        let result = try execute(#"""
            {"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":null,"Result":{"r":1},"ResultPath":null,"Next":"B"},
             "B":{"Type":"Pass","OutputPath":null,"End":true}}}
            """#, input: ["keep": true])
        // ResultPath null keeps the raw input; OutputPath null gives {}.
        #expect(result.output == [:])
        let first = try execute(#"{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":null,"End":true}}}"#, input: ["x": 1])
        #expect(first.output == [:])
    }

    @Test func resultPathCreatesIntermediateObjectsAndFailsOnScalars() throws {
        let result = try execute(#"{"StartAt":"A","States":{"A":{"Type":"Pass","Result":7,"ResultPath":"$.a.b.c","End":true}}}"#,
                                 input: ["a": ["x": 1]])
        #expect(result.output == ["a": ["x": 1, "b": ["c": 7]]])
        let failed = try execute(#"{"StartAt":"A","States":{"A":{"Type":"Pass","Result":7,"ResultPath":"$.a","End":true}}}"#,
                                 input: "text")
        #expect(failed.status == .failed)
        #expect(failed.error == "States.ResultPathMatchFailure")
    }

    @Test func missingInputPathIsStatesRuntimeInJaywaysWords() throws {
        let result = try execute(#"{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.no.such","End":true}}}"#)
        #expect(result.error == "States.Runtime")
        // ExecutionStarted is event 1, PassStateEntered event 2.
        #expect(result.cause == "An error occurred while executing the state 'P' (entered at the event id #2). Invalid path '$.no.such' : Missing property in path $['no']")
    }

    /// Reference paths are walked in place (PathEvaluator.lookupDefinite): members (short keys, and keys stored
    /// out of line), indexes from either end, and a miss at each kind of segment in Jayway's words.
    @Test func referencePathsWalkMembersAndIndexes() throws {
        let longKey = "a key longer than fifteen bytes"
        let input: JSONValue = ["items": [["v": 1], ["v": 2], ["v": 3]], .init(stringLiteral: longKey): ["x": "found"]]
        let result = try execute(#"""
            {"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{
              "second.$":"$.items[1].v","last.$":"$.items[-1].v","long.$":"$['a key longer than fifteen bytes'].x",
              "whole.$":"$"},"End":true}}}
            """#, input: input)
        #expect(result.output == ["second": 2, "last": 3, "long": "found", "whole": input])
        func cause(_ path: String) throws -> String? {
            try execute(#"{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"\#(path)","End":true}}}"#, input: input).cause
        }
        let prefix = "An error occurred while executing the state 'P' (entered at the event id #2). Invalid path "
        #expect(try cause("$.items[5]") == prefix + "'$.items[5]' : No results for path: $['items'][5]")
        #expect(try cause("$.items[-4].v") == prefix + "'$.items[-4].v' : No results for path: $['items'][-4]")
        #expect(try cause("$.items[0].w") == prefix + "'$.items[0].w' : No results for path: $['items'][0]['w']")
        #expect(try cause("$.nope[0]") == prefix + "'$.nope[0]' : Missing property in path $['nope']")
        #expect(try cause("$['a key longer than fifteen bytez']") == prefix
            + "'$['a key longer than fifteen bytez']' : No results for path: $['a key longer than fifteen bytez']")
    }

    @Test func multiValuedPathsGiveArrays() throws {
        let result = try execute(#"""
            {"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{
              "all.$":"$.items[*].v","slice.$":"$.items[1:]","last.$":"$.items[-1].v","cheap.$":"$.items[?(@.v < 2)].v",
              "deep.$":"$..v"},"End":true}}}
            """#, input: ["items": [["v": 1], ["v": 2], ["v": 3]]])
        #expect(result.output == ["all": [1, 2, 3], "slice": [["v": 2], ["v": 3]], "last": 3, "cheap": [1], "deep": [1, 2, 3]])
    }

    /// Filters whose operands walk into each element (`@.a.b`, `@.tags[-1]`): an element without that member or
    /// element is left out, as Jayway leaves it out.
    @Test func filtersWalkIntoElements() throws {
        let result = try execute(#"""
            {"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{
              "deep.$":"$.items[?(@.a.b == 1)].id","last.$":"$.items[?(@.tags[-1] == 'x')].id"},"End":true}}}
            """#, input: ["items": [
                ["id": 1, "a": ["b": 1], "tags": ["y", "x"]], ["id": 2, "a": ["b": 2], "tags": ["x", "y"]],
                ["id": 3, "a": 5, "tags": []], ["id": 4, "tags": ["x"]],
            ]])
        #expect(result.output == ["deep": [1], "last": [1, 4]])
    }

    /// Templates nest objects, arrays and calls inside calls; a path that finds nothing is named with the field
    /// it fills (`inner.$`, the member's own name, not the template's), as AWS names it.
    @Test func templatesNestAndNameTheFieldThatFails() throws {
        let definition = #"""
            {"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{
              "list":["a",{"x.$":"States.Format('{}-{}', $.a, States.MathAdd($.b, 1))"},[{"y.$":"$.b"}]],
              "outer":{"inner.$":"$.c"}},"End":true}}}
            """#
        let result = try execute(definition, input: ["a": "p", "b": 2, "c": true])
        #expect(result.output == ["list": ["a", ["x": "p-3"], [["y": 2]]], "outer": ["inner": true]])
        let missing = try execute(definition, input: ["a": "p", "b": 2])
        #expect(missing.error == "States.Runtime")
        #expect(missing.cause?.contains("The JSONPath '$.c' specified for the field 'inner.$' could not be found") == true,
                "\(missing.cause ?? "")")
        let failedCall = try execute(definition, input: ["a": "p", "b": "two", "c": 1])
        #expect(failedCall.error == "States.IntrinsicFailure")  // MathAdd of a string
    }

    @Test func contextObjectAndVariables() throws {
        let result = try execute(#"""
            {"StartAt":"A","States":{
              "A":{"Type":"Pass","Assign":{"count":1,"who.$":"$.name"},"Next":"B"},
              "B":{"Type":"Pass","Parameters":{"count.$":"$count","who.$":"$who","state.$":"$$.State.Name",
                   "machine.$":"$$.StateMachine.Name","input.$":"$$.Execution.Input.name"},"End":true}}}
            """#, input: ["name": "Ada"]) { $0.stateMachineName = "Greeter" }
        #expect(result.output == ["count": 1, "who": "Ada", "state": "B", "machine": "Greeter", "input": "Ada"])
    }

    @Test func assignedValuesAreVisibleFromTheNextState() throws {
        // Inside the state that assigns, paths still see the values from before (asl-inventory.md 2.4).
        let result = try execute(#"""
            {"StartAt":"A","States":{
              "A":{"Type":"Pass","Assign":{"x":1},"Next":"B"},
              "B":{"Type":"Pass","Assign":{"x":2,"old.$":"$x"},"OutputPath":"$x","Next":"C"},
              "C":{"Type":"Pass","Parameters":{"x.$":"$x","old.$":"$old"},"End":true}}}
            """#)
        #expect(result.output == ["x": 2, "old": 1])
    }

    @Test func intrinsicsInTemplates() throws {
        let result = try execute(#"""
            {"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{
              "greeting.$":"States.Format('Hello, {}! You have {} items.', $.name, States.ArrayLength($.items))",
              "sum.$":"States.MathAdd(1.5, 2)","parts.$":"States.StringSplit('a,b;c', ',;')",
              "range.$":"States.ArrayRange(1, 9, 4)","encoded.$":"States.Base64Encode('Data to encode')",
              "hash.$":"States.Hash('abc', 'SHA-256')","merged.$":"States.JsonMerge($.a, $.b, false)",
              "json.$":"States.JsonToString($.a)","parsed.$":"States.StringToJson('{\"k\":[1]}')",
              "unique.$":"States.ArrayUnique(States.Array(1, 1, 'x', 'x'))","chunks.$":"States.ArrayPartition($.items, 2)"
            },"End":true}}}
            """#, input: ["name": "Ada", "items": [1, 2, 3], "a": ["k": 1, "m": 1], "b": ["k": 2]])
        #expect(result.status == .succeeded, "\(result.cause ?? "")")
        #expect(result.output == [
            "greeting": "Hello, Ada! You have 3 items.", "sum": 4, "parts": ["a", "b", "c"], "range": [1, 5, 9],
            "encoded": "RGF0YSB0byBlbmNvZGU=",
            "hash": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "merged": ["k": 2, "m": 1], "json": #"{"k":1,"m":1}"#, "parsed": ["k": [1]], "unique": [1, "x"],
            "chunks": [[1, 2], [3]],
        ])
    }

    @Test(arguments: [
        "States.ArrayRange(1, 2000, 1)", "States.JsonMerge($.a, $.a, true)", "States.Hash('a', 'SHA-3')",
        "States.ArrayGetItem($.items, 5)", "States.Format('{} {}', 1)", "States.StringToJson('{')",
        "States.ArrayPartition($.items, 0)", "States.Base64Decode('not base64!')",
    ])
    func intrinsicFailures(call: String) throws {
        let result = try execute(#"{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"v.$":"\#(call)"},"End":true}}}"#,
                                 input: ["a": ["k": 1], "items": [1, 2]])
        #expect(result.status == .failed)
        #expect(result.error == "States.IntrinsicFailure", "\(call): \(result.cause ?? "")")
    }

    /// The execution input's limit: its compact text, or the length of the text it was parsed from when the caller
    /// gives it (AWS measures the input string of a StartExecution request, whitespace included).
    @Test func payloadLimitOnTheExecutionInput() throws {
        let definition = #"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#
        let cause = "The execution input exceeds the maximum number of bytes service limit."
        let large = try execute(definition, input: ["s": .string(String(repeating: "x", count: Limits.payloadBytes))])
        #expect(large.error == "States.DataLimitExceeded")
        #expect(large.cause == cause)
        // A small value parsed from text over the limit (mostly whitespace): over.
        let spaced = try execute(definition, input: ["a": 1]) { $0.inputByteCount = Limits.payloadBytes + 1 }
        #expect(spaced.error == "States.DataLimitExceeded")
        #expect(spaced.cause == cause)
        let atTheLimit = try execute(definition, input: ["a": 1]) { $0.inputByteCount = Limits.payloadBytes }
        #expect(atTheLimit.status == .succeeded)
        #expect(atTheLimit.output == ["a": 1])
        // The engine's starts take the length too.
        let engine = Engine(configuration: EngineConfiguration(workers: 1))
        defer { engine.shutdown() }
        try engine.createStateMachine(name: "M", definition: definition)
        let over = try engine.startSyncExecution(stateMachine: "M", input: ["a": 1], inputByteCount: Limits.payloadBytes + 1)
        #expect(over.error == "States.DataLimitExceeded")
        #expect(over.cause == cause)
        let within = try engine.startSyncExecution(stateMachine: "M", input: ["a": 1], inputByteCount: 7)
        #expect(within.output == ["a": 1])
    }

    @Test func payloadLimitOnTaskResults() throws {
        let handlers = TaskHandlerRegistry()
        handlers.register("arn:aws:lambda:us-east-1:1:function:big") { _ in .string(String(repeating: "x", count: Limits.payloadBytes)) }
        let result = try execute(#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:big","End":true}}}"#,
                                 handlers: handlers)
        #expect(result.error == "States.DataLimitExceeded")
    }

    /// The final output skips its size walk only when it is the last task's checked result itself: a result of
    /// 150,000 bytes ends the execution as its output, but the same result copied into itself by a later
    /// ResultPath (about 300,000 bytes, over the 262,144 limit) fails it.
    @Test func payloadLimitOnOutputsBuiltFromACheckedResult() throws {
        let handlers = TaskHandlerRegistry()
        handlers.register("arn:aws:lambda:us-east-1:1:function:half") { _ in ["part": .string(String(repeating: "x", count: 150_000))] }
        let task = #""T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:half""#
        let ends = try execute(#"{"StartAt":"T","States":{\#(task),"End":true}}}"#, handlers: handlers)
        #expect(ends.status == .succeeded)
        #expect(ends.output?["part"]?.stringValue?.utf8.count == 150_000)
        let grows = try execute(#"""
            {"StartAt":"T","States":{\#(task),"Next":"Copy"},"Copy":{"Type":"Pass","ResultPath":"$.copy","End":true}}}
            """#, handlers: handlers)
        #expect(grows.error == "States.DataLimitExceeded")
        #expect(grows.cause == "The state/task 'Copy' returned a result with a size exceeding the maximum number of bytes service limit.")
    }

    /// A Map's output skips its walk only when every iteration passed its item through and the items were inside
    /// the checked input. Item 0 is 100,000 bytes and passes through; item 1 is small and, unless it is marked
    /// `keep`, is replaced by 200,000 bytes: together over the 262,144 limit. The same items built by a Pass
    /// (not the checked input) and passed through must be walked as well.
    @Test func payloadLimitOnMapOutputs() throws {
        let big: JSONValue = ["keep": true, "data": .string(String(repeating: "x", count: 100_000))]
        let map = #"""
            "M":{"Type":"Map","ItemsPath":"$.items","ItemProcessor":{"StartAt":"C","States":{
              "C":{"Type":"Choice","Choices":[{"Variable":"$.keep","IsPresent":true,"Next":"Keep"}],"Default":"Grow"},
              "Keep":{"Type":"Pass","End":true},
              "Grow":{"Type":"Pass","Parameters":{"data.$":"States.Format('{}{}', $.half, $.half)"},"End":true}}},"End":true}
            """#
        let definition = #"{"StartAt":"M","States":{\#(map)}}"#
        let half = JSONValue.string(String(repeating: "y", count: 100_000))
        let passes = try execute(definition, input: ["items": [big, ["keep": true]]])
        #expect(passes.status == .succeeded)
        let grows = try execute(definition, input: ["items": [big, ["half": half]]])
        #expect(grows.error == "States.DataLimitExceeded")
        #expect(grows.cause == "The state/task 'M' returned a result with a size exceeding the maximum number of bytes service limit.")
        // Built by a Pass from two 150,000-byte strings: 300,000 bytes that nothing checked before the Map.
        let built = try execute(#"""
            {"StartAt":"Build","States":{
              "Build":{"Type":"Pass","Parameters":{"items":[{"keep":true,"a.$":"$.s"},{"keep":true,"b.$":"$.s"}]},"Next":"M"},
              \#(map)}}
            """#, input: ["s": .string(String(repeating: "z", count: 150_000))])
        #expect(built.error == "States.DataLimitExceeded")
    }
}

@Suite struct UUIDTests {
    @Test func versionFourLayout() throws {
        let result = try execute(#"{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"a.$":"States.UUID()","b.$":"States.UUID()"},"End":true}}}"#)
        let a = try #require(result.output?["a"]?.stringValue)
        let b = try #require(result.output?["b"]?.stringValue)
        #expect(a != b)
        for uuid in [a, b] {
            let groups = uuid.split(separator: "-").map(String.init)
            #expect(groups.map(\.count) == [8, 4, 4, 4, 12])
            #expect(groups[2].hasPrefix("4"))
            #expect("89ab".contains(groups[3].first!))
            #expect(uuid.allSatisfy { "0123456789abcdef-".contains($0) })
        }
    }
}
