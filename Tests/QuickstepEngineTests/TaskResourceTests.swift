import Testing
import QuickstepEngine
import QuickstepJSON
import QuickstepLanguage

@Suite struct TaskResourceTests {
    @Test func registryMatchesExactBeforePatterns() {
        let registry = TaskHandlerRegistry()
        registry.register("arn:aws:lambda:*:function:orders-*") { _ in "pattern" }
        registry.register("arn:aws:lambda:us-east-1:1:function:orders-special") { _ in "exact" }
        func answer(_ arn: String) -> JSONValue? {
            guard case .synchronous(let body)? = registry.handler(for: arn) else { return nil }
            return try? body(TaskInvocation(resource: arn, input: nil, stateName: "S", retryCount: 0, taskToken: nil))
        }
        #expect(answer("arn:aws:lambda:us-east-1:1:function:orders-special") == "exact")
        #expect(answer("arn:aws:lambda:eu-west-1:2:function:orders-new") == "pattern")
        #expect(answer("arn:aws:lambda:eu-west-1:2:function:users") == nil)
    }

    @Test func lambdaInvokeWrapsThePayloadAndBareArnsDoNot() throws {
        let handlers = TaskHandlerRegistry()
        handlers.register("arn:aws:lambda:us-east-1:123456789012:function:echo") { invocation in invocation.input }
        let wrapped = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
               "Parameters":{"FunctionName":"echo","Payload":{"a":1}},"End":true}}}
            """#, handlers: handlers)
        #expect(wrapped.output?["Payload"] == ["a": 1])
        #expect(wrapped.output?["StatusCode"] == 200)
        #expect(wrapped.output?["SdkHttpMetadata"]?["HttpHeaders"]?["Content-Length"] == "8")  // {"a": 1}
        let bare = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:echo","End":true}}}
            """#, input: ["a": 1], handlers: handlers)
        #expect(bare.output == ["a": 1])
    }

    @Test func unknownResourceFailsClearly() throws {
        let result = try execute(#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}}"#)
        #expect(result.error == "States.TaskFailed")
        #expect(result.cause == "No task handler is registered for the resource 'arn:aws:states:::sqs:sendMessage'")
    }

    @Test func builtInResources() throws {
        let handlers = TaskHandlerRegistry()
        handlers.registerBuiltIns()
        let result = try execute(#"""
            {"StartAt":"E","States":{"E":{"Type":"Task","Resource":"arn:aws:states:::quickstep:echo","ResultPath":"$.echo","Next":"R"},
             "R":{"Type":"Task","Resource":"arn:aws:states:::quickstep:return","Parameters":{"Value":[1,2]},"ResultPath":"$.fixed","Next":"F"},
             "F":{"Type":"Task","Resource":"arn:aws:states:::quickstep:fail","Parameters":{"Error":"E","Cause":"C"},"End":true}}}
            """#, input: ["x": 1], handlers: handlers)
        #expect(result.error == "E")
        #expect(result.cause == "C")
        #expect(result.history.contains { $0["type"] == "TaskStateExited" && $0["stateExitedEventDetails"]?["output"] == #"{"x":1,"echo":{"x":1},"fixed":[1,2]}"# })
    }

    @Test func mockedResponsesByAttempt() throws {
        let configuration = try MockConfiguration(JSONParser.parse(#"""
            {"StateMachines":{"M":{"TestCases":{"Retrying":{"T":"FlakyThenOk"}}}},
             "MockedResponses":{"FlakyThenOk":{"0-1":{"Throw":{"Error":"Busy","Cause":"later"}},"2":{"Return":{"ok":true}}}}}
            """#))
        let result = try execute(#"""
            {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,
               "Parameters":{"FunctionName":"f"},"Retry":[{"ErrorEquals":["Busy"],"MaxAttempts":2}]}}}
            """#) { $0.mocks = try? configuration.testCase(stateMachine: "M", testCase: "Retrying") }
        // A mocked Return for lambda:invoke is the Invoke response itself: not wrapped again.
        #expect(result.output == ["ok": true])
        #expect(eventTypes(result).filter { $0 == "TaskFailed" }.count == 2)
    }

    /// Past the last attempt a mocked response lists, the response with the highest attempt keeps answering (not the
    /// last one written); a state with a single response answers every attempt with it, retries included (such
    /// states count no attempts at all, see `MockPlan.countsAttempts`).
    @Test func mockedResponsesPastTheLastListedAttempt() throws {
        let configuration = try MockConfiguration(JSONParser.parse(#"""
            {"StateMachines":{"M":{"TestCases":{"Late":{"One":"AlwaysOne","Late":"LateOk"},"Stuck":{"One":"AlwaysBusy"}}}},
             "MockedResponses":{"AlwaysOne":{"0":{"Return":1}},"AlwaysBusy":{"0":{"Throw":{"Error":"Busy"}}},
                                "LateOk":{"3":{"Return":{"late":true}},"0-1":{"Throw":{"Error":"Busy","Cause":"later"}}}}}
            """#))
        let definition = #"""
            {"StartAt":"One","States":{
               "One":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:one","ResultPath":"$.one","Next":"Late",
                      "Retry":[{"ErrorEquals":["Busy"],"MaxAttempts":2,"IntervalSeconds":1}]},
               "Late":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:late","ResultPath":"$.late","End":true,
                       "Retry":[{"ErrorEquals":["Busy"],"MaxAttempts":3,"IntervalSeconds":1}]}}}
            """#
        // Late: attempts 0 and 1 throw ("0-1"); attempt 2 is listed nowhere, so "3" (the highest) answers.
        let late = try execute(definition) { $0.mocks = try? configuration.testCase(stateMachine: "M", testCase: "Late") }
        #expect(late.output == ["one": 1, "late": ["late": true]])
        #expect(eventTypes(late).filter { $0 == "LambdaFunctionFailed" }.count == 2)
        // One: its single response throws on every attempt, the first and both retries.
        let stuck = try execute(definition) { $0.mocks = try? configuration.testCase(stateMachine: "M", testCase: "Stuck") }
        #expect(stuck.error == "Busy")
        #expect(eventTypes(stuck).filter { $0 == "LambdaFunctionFailed" }.count == 3)
    }

    /// Mocked responses are checked against the payload limit once, when the configuration is resolved; an
    /// oversized one must still fail its task as a handler's would (States.DataLimitExceeded), a small one not.
    @Test func mockedResponsesOverThePayloadLimitFail() throws {
        let big = String(repeating: "x", count: Limits.payloadBytes)
        let configuration = try MockConfiguration(JSONParser.parse(#"""
            {"StateMachines":{"M":{"TestCases":{"Big":{"T":"Huge"},"Small":{"T":"Tiny"}}}},
             "MockedResponses":{"Huge":{"0":{"Return":{"blob":"\#(big)"}}},"Tiny":{"0":{"Return":{"ok":true}}}}}
            """#))
        let definition = #"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true}}}"#
        let failed = try execute(definition) { $0.mocks = try? configuration.testCase(stateMachine: "M", testCase: "Big") }
        #expect(failed.error == "States.DataLimitExceeded")
        #expect(failed.cause == "The state/task 'arn:aws:lambda:us-east-1:1:function:f' returned a result with a size exceeding the maximum number of bytes service limit.")
        let passed = try execute(definition) { $0.mocks = try? configuration.testCase(stateMachine: "M", testCase: "Small") }
        #expect(passed.output == ["ok": true])
    }

    @Test func mockConfigurationProblemsAreNamed() throws {
        #expect(throws: MockConfiguration.Problem.self) { try MockConfiguration(JSONParser.parse("{}")) }
        #expect(throws: MockConfiguration.Problem.self) {
            try MockConfiguration(JSONParser.parse(#"{"StateMachines":{},"MockedResponses":{"R":{"x":{"Return":1}}}}"#))
        }
        let configuration = try MockConfiguration(JSONParser.parse(#"{"StateMachines":{"M":{"TestCases":{"T":{"S":"Missing"}}}},"MockedResponses":{}}"#))
        let problem = #expect(throws: MockConfiguration.Problem.self) { try configuration.testCase(stateMachine: "M", testCase: "T") }
        #expect(problem?.message == #"the test case 'T' maps state 'S' to an undefined mocked response "Missing""#)
        #expect(throws: MockConfiguration.Problem.self) { try configuration.testCase(stateMachine: "Other", testCase: "T") }
    }

    @Test func disassemblyShowsResolvedOperands() throws {
        let program = Program(try StateMachine(definition: #"""
            {"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.x","Parameters":{"v.$":"$.y"},"Next":"B"},"B":{"Type":"Succeed"}}}
            """#))
        #expect(program.disassembly() == """
            ; state A
            0000  enterState      A (Pass)
            0001  inputPath       $.x
            0002  parameters      {"v".$:$.y}
            0003  exitStateAndJump 0005
            0004  jump            0005
            ; state B
            0005  passThroughToEnd B (Succeed)
            0006  exitState       
            0007  endGraph        
            """)
        // A state that does nothing between entering and leaving is entered and left by one instruction, and a run
        // of them by one more (its first state's, which also goes through the first alone); a state's exit and its
        // jump are one instruction.
        let chain = Program(try StateMachine(definition: #"""
            {"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}}
            """#))
        #expect(chain.disassembly() == """
            ; state A
            0000  passChain       A .. B (2 states) -> 0005
            0001  exitStateAndJump 0003
            0002  jump            0003
            ; state B
            0003  passThroughToEnd B (Pass)
            0004  exitState       
            0005  endGraph        
            """)
        // A Choice state without InputPath or OutputPath is entered, evaluated and left by one instruction; one with
        // an InputPath keeps its instructions.
        let choices = Program(try StateMachine(definition: #"""
            {"StartAt":"C","States":{
              "C":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"A"}],"Default":"D"},
              "D":{"Type":"Choice","InputPath":"$.y","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"A"}],"Default":"A"},
              "A":{"Type":"Succeed"}}}
            """#))
        #expect(choices.disassembly() == """
            ; state C
            0000  choiceState     C (Choice) choice 0
            0001  choose          1 rules -> 0009, default 0004
            0002  exitState       
            0003  jumpToChosen    
            ; state D
            0004  enterState      D (Choice)
            0005  inputPath       $.y
            0006  choose          1 rules -> 0009, default 0009
            0007  exitState       
            0008  jumpToChosen    
            ; state A
            0009  passThroughToEnd A (Succeed)
            0010  exitState       
            0011  endGraph        
            """)
    }
}
