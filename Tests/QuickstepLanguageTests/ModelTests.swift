import Testing
import QuickstepJSON
import QuickstepLanguage

/// The loaded model holds everything pre-parsed: templates with their constant parts built, typed Choice rules,
/// classified resources, and AWS's defaults for absent fields.
@Suite struct ModelTests {
    @Test func templatesKeepConstantPartsReady() throws {
        let machine = try StateMachine(definition: #"""
            {"StartAt":"A","States":{"A":{"Type":"Pass","End":true,
              "Parameters":{"fixed":{"a":[1,2]},"name.$":"$.name","list":[{"v.$":"$$.Execution.Id"},3]}}}}
            """#)
        guard case .pass(let pass) = machine.graph.states[0].kind, case .object(let members)? = pass.dataProcessing.parameters else {
            Issue.record("expected a Pass with an object template")
            return
        }
        #expect(members.map(\.key) == ["fixed", "name", "list"])
        guard case .constant(let fixed) = members[0].value else {
            Issue.record("a member with nothing to compute must be one constant")
            return
        }
        #expect(fixed == ["a": [1, 2]])
        guard case .path(let name) = members[1].value else {
            Issue.record("expected a path slot")
            return
        }
        #expect(name.text == "$.name")
        guard case .array(let list) = members[2].value else {
            Issue.record("an array with a dynamic element stays an array template")
            return
        }
        #expect(list.count == 2)
        #expect(list[1].isConstant)
    }

    @Test func defaultsForAbsentFields() throws {
        let machine = try StateMachine(definition: #"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#)
        guard case .pass(let pass) = machine.graph.states[0].kind else { return }
        #expect(pass.dataProcessing.inputPath == .path(.input))
        #expect(pass.dataProcessing.resultPath == .path(.input))
        #expect(pass.dataProcessing.outputPath == .path(.input))
        #expect(machine.queryLanguage == .jsonPath)
        let nulls = try StateMachine(definition: #"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"InputPath":null,"ResultPath":null}}}"#)
        guard case .pass(let nullPass) = nulls.graph.states[0].kind else { return }
        #expect(nullPass.dataProcessing.inputPath == .null)
        #expect(nullPass.dataProcessing.resultPath == .null)
    }

    @Test func retrierDefaults() throws {
        let machine = try StateMachine(definition: #"""
            {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","End":true,
              "Retry":[{"ErrorEquals":["States.ALL"]}]}}}
            """#)
        guard case .task(let task) = machine.graph.states[0].kind else { return }
        #expect(task.resource.kind == .serviceIntegration(service: "lambda", action: "invoke"))
        #expect(task.resource.pattern == .waitForTaskToken)
        let retrier = try #require(task.errorHandling.retriers.first)
        #expect(retrier.intervalSeconds == 1)
        #expect(retrier.maxAttempts == 3)
        #expect(retrier.backoffRate == 2.0)
        #expect(retrier.jitterStrategy == .none)
    }

    @Test func resourceClassification() {
        #expect(TaskResource(arn: "arn:aws:lambda:us-east-1:111111111111:function:f:prod")?.kind == .lambdaFunction(name: "f"))
        #expect(TaskResource(arn: "arn:aws:states:us-east-1:111111111111:activity:a")?.kind == .activity(name: "a"))
        #expect(TaskResource(arn: "arn:aws:states:::aws-sdk:s3:getObject")?.kind == .sdkIntegration(service: "s3", action: "getObject"))
        #expect(TaskResource(arn: "arn:aws:states:::states:startExecution.sync:2")?.pattern == .sync2)
        #expect(TaskResource(arn: "arn:aws:lambda:us-east-1:1:layer:f") == nil)
        #expect(TaskResource(arn: "not-an-arn") == nil)
    }

    @Test func choiceRulesAreTyped() throws {
        let machine = try StateMachine(definition: #"""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Default":"D","Choices":[
              {"And":[{"Variable":"$.n","NumericGreaterThan":1},{"Variable":"$.t","TimestampLessThan":"2020-01-01T00:00:00Z"}],"Next":"D"},
              {"Variable":"$.s","StringMatches":"log-*.txt","Next":"D"}]},"D":{"Type":"Succeed"}}}
            """#)
        guard case .choice(let choice) = machine.graph.states[0].kind else { return }
        guard case .and(let rules) = choice.choices[0].rule, case .test(_, .numericGreaterThan, .number(1)) = rules[0],
            case .test(_, .timestampLessThan, .timestamp(let timestamp)) = rules[1]
        else {
            Issue.record("expected typed operands")
            return
        }
        #expect(timestamp.secondsSinceEpoch == 1_577_836_800)
        guard case .test(_, .stringMatches, .pattern(let pieces)) = choice.choices[1].rule else { return }
        #expect(pieces == ["log-", ".txt"])
    }

    @Test func mapAndParallelGraphs() throws {
        let machine = try StateMachine(definition: #"""
            {"StartAt":"M","States":{"M":{"Type":"Map","Next":"P","ItemsPath":"$.items","MaxConcurrencyPath":"$.c",
              "Iterator":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}}},
             "P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"B1","States":{"B1":{"Type":"Succeed"}}},
                                                         {"StartAt":"B2","States":{"B2":{"Type":"Succeed"}}}]}}}
            """#)
        guard case .map(let map) = machine.graph.states[0].kind, case .parallel(let parallel) = machine.graph.states[1].kind else { return }
        #expect(map.usesLegacyIterator)
        #expect(map.mode == .inline)
        #expect(map.itemsPath.text == "$.items")
        guard case .path(let concurrency)? = map.maxConcurrency else {
            Issue.record("expected MaxConcurrencyPath")
            return
        }
        #expect(concurrency.text == "$.c")
        #expect(map.processor.startAt == "I")
        #expect(parallel.branches.map(\.startAt) == ["B1", "B2"])
    }
}
