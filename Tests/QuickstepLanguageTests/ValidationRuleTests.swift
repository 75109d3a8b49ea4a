import Testing
import QuickstepLanguage

/// One invalid definition per validation rule, each with the AWS code and JSON-pointer location expected.
/// Codes and locations follow AWS's ValidateStateMachineDefinition (asl-inventory.md, sections 0 to 8).
@Suite struct ValidationRuleTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let rule: String
        let definition: String
        let code: Diagnostic.Code
        let location: String
        var testDescription: String { rule }
    }

    /// A machine whose only state is `state` (named `A`), for rules about one state.
    static func one(_ state: String, language: String? = nil) -> String {
        let top = language.map { #""QueryLanguage": "\#($0)", "# } ?? ""
        return #"{\#(top)"StartAt": "A", "States": {"A": \#(state)}}"#
    }

    static let lambda = "arn:aws:lambda:us-east-1:111111111111:function:f"

    static let cases: [Case] = [
        Case(rule: "not JSON", definition: "{\"StartAt\": ", code: .invalidJSONDescription, location: "[line: 1, column: 13]"),
        Case(rule: "empty definition", definition: "  ", code: .missingDescription, location: "/"),
        Case(rule: "definition is not an object", definition: "[]", code: .schemaValidationFailed, location: "/"),
        Case(rule: "States and StartAt are required", definition: "{}", code: .schemaValidationFailed, location: "/"),
        Case(rule: "unknown top-level field", definition: #"{"StartAt":"A","Foo":1,"States":{"A":{"Type":"Succeed"}}}"#,
             code: .schemaValidationFailed, location: "/"),
        Case(rule: "wrong type", definition: #"{"StartAt":"A","Comment":5,"States":{"A":{"Type":"Succeed"}}}"#,
             code: .schemaValidationFailed, location: "/Comment"),
        Case(rule: "TimeoutSeconds out of range", definition: #"{"StartAt":"A","TimeoutSeconds":0,"States":{"A":{"Type":"Succeed"}}}"#,
             code: .schemaValidationFailed, location: "/TimeoutSeconds"),
        Case(rule: "unknown QueryLanguage", definition: #"{"StartAt":"A","QueryLanguage":"SQL","States":{"A":{"Type":"Succeed"}}}"#,
             code: .schemaValidationFailed, location: "/QueryLanguage"),
        Case(rule: "StartAt names no state", definition: #"{"StartAt":"X","States":{"A":{"Type":"Succeed"}}}"#,
             code: .missingTransitionTarget, location: "/StartAt"),
        Case(rule: "Next names no state", definition: one(#"{"Type":"Pass","Next":"Nowhere"}"#),
             code: .missingTransitionTarget, location: "/States/A/Next"),
        Case(rule: "Next and End together", definition: one(#"{"Type":"Pass","Next":"A","End":true}"#),
             code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "no transition", definition: one(#"{"Type":"Pass"}"#), code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "End false", definition: one(#"{"Type":"Pass","End":false}"#), code: .schemaValidationFailed, location: "/States/A/End"),
        Case(rule: "unreachable state",
             definition: #"{"StartAt":"A","States":{"A":{"Type":"Succeed"},"B":{"Type":"Succeed"}}}"#,
             code: .missingTransitionTarget, location: "/States/B"),
        Case(rule: "no terminal state",
             definition: #"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}}"#,
             code: .missingEndState, location: "/States"),
        Case(rule: "state names unique in the whole machine",
             definition: one(#"{"Type":"Parallel","End":true,"Branches":[{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}]}"#),
             code: .duplicateStateName, location: "/States/A/Branches/0/States/A"),
        Case(rule: "state name longer than 80 characters",
             definition: #"{"StartAt":"\#(String(repeating: "n", count: 81))","States":{"\#(String(repeating: "n", count: 81))":{"Type":"Succeed"}}}"#,
             code: .invalidStateName, location: "/States/\(String(repeating: "n", count: 81))"),
        Case(rule: "state name with a control character",
             definition: #"{"StartAt":"a\u0007b","States":{"a\u0007b":{"Type":"Succeed"}}}"#,
             code: .invalidStateName, location: "/States/a\u{7}b"),
        Case(rule: "missing Type", definition: one(#"{"End":true}"#), code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "unknown Type", definition: one(#"{"Type":"Sleep","End":true}"#), code: .schemaValidationFailed, location: "/States/A/Type"),
        Case(rule: "unknown state field", definition: one(#"{"Type":"Pass","End":true,"Foo":1}"#), code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "Retry not supported on Pass", definition: one(#"{"Type":"Pass","End":true,"Retry":[]}"#),
             code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "End not supported on Choice",
             definition: one(#"{"Type":"Choice","End":true,"Choices":[{"Variable":"$.x","IsNull":true,"Next":"A"}],"Default":"A"}"#),
             code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "States.ALL not alone",
             definition: one(#"{"Type":"Task","Resource":"\#(lambda)","End":true,"Retry":[{"ErrorEquals":["States.ALL","X"]}]}"#),
             code: .schemaValidationFailed, location: "/States/A/Retry/0/ErrorEquals"),
        Case(rule: "States.ALL not last",
             definition: #"{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"\#(lambda)","End":true,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"B"},{"ErrorEquals":["X"],"Next":"B"}]},"B":{"Type":"Succeed"}}}"#,
             code: .schemaValidationFailed, location: "/States/A/Catch/0"),
        Case(rule: "empty ErrorEquals",
             definition: one(#"{"Type":"Task","Resource":"\#(lambda)","End":true,"Retry":[{"ErrorEquals":[]}]}"#),
             code: .schemaValidationFailed, location: "/States/A/Retry/0/ErrorEquals"),
        Case(rule: "BackoffRate below 1",
             definition: one(#"{"Type":"Task","Resource":"\#(lambda)","End":true,"Retry":[{"ErrorEquals":["X"],"BackoffRate":0.5}]}"#),
             code: .schemaValidationFailed, location: "/States/A/Retry/0/BackoffRate"),
        Case(rule: "negative MaxAttempts",
             definition: one(#"{"Type":"Task","Resource":"\#(lambda)","End":true,"Retry":[{"ErrorEquals":["X"],"MaxAttempts":-1}]}"#),
             code: .schemaValidationFailed, location: "/States/A/Retry/0/MaxAttempts"),
        Case(rule: "unknown JitterStrategy",
             definition: one(#"{"Type":"Task","Resource":"\#(lambda)","End":true,"Retry":[{"ErrorEquals":["X"],"JitterStrategy":"SOME"}]}"#),
             code: .schemaValidationFailed, location: "/States/A/Retry/0/JitterStrategy"),
        Case(rule: "Catch without Next",
             definition: one(#"{"Type":"Task","Resource":"\#(lambda)","End":true,"Catch":[{"ErrorEquals":["X"]}]}"#),
             code: .schemaValidationFailed, location: "/States/A/Catch/0"),
        Case(rule: "Choices empty", definition: one(#"{"Type":"Choice","Choices":[]}"#), code: .schemaValidationFailed, location: "/States/A/Choices"),
        Case(rule: "Choice rule without operator",
             definition: one(#"{"Type":"Choice","Choices":[{"Variable":"$.x","Next":"A"}]}"#),
             code: .schemaValidationFailed, location: "/States/A/Choices/0"),
        Case(rule: "Choice rule with two operators",
             definition: one(#"{"Type":"Choice","Choices":[{"Variable":"$.x","IsNull":true,"IsString":true,"Next":"A"}]}"#),
             code: .schemaValidationFailed, location: "/States/A/Choices/0"),
        Case(rule: "top-level Choice rule without Next",
             definition: #"{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","IsNull":true}],"Default":"B"},"B":{"Type":"Succeed"}}}"#,
             code: .schemaValidationFailed, location: "/States/A/Choices/0"),
        Case(rule: "nested Choice rule with Next",
             definition: one(#"{"Type":"Choice","Choices":[{"Not":{"Variable":"$.x","IsNull":true,"Next":"A"},"Next":"A"}]}"#),
             code: .schemaValidationFailed, location: "/States/A/Choices/0/Not"),
        Case(rule: "Choice operand of the wrong type",
             definition: one(#"{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":"1","Next":"A"}]}"#),
             code: .schemaValidationFailed, location: "/States/A/Choices/0/NumericEquals"),
        Case(rule: "Choice timestamp operand not RFC 3339",
             definition: one(#"{"Type":"Choice","Choices":[{"Variable":"$.x","TimestampEquals":"2016-03-14 01:59:00","Next":"A"}]}"#),
             code: .schemaValidationFailed, location: "/States/A/Choices/0/TimestampEquals"),
        Case(rule: "StringMatches with a dangling escape",
             definition: one(#"{"Type":"Choice","Choices":[{"Variable":"$.x","StringMatches":"a\\","Next":"A"}]}"#),
             code: .schemaValidationFailed, location: "/States/A/Choices/0/StringMatches"),
        Case(rule: "Wait without a time field", definition: one(#"{"Type":"Wait","End":true}"#), code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "Wait with two time fields", definition: one(#"{"Type":"Wait","Seconds":1,"SecondsPath":"$.s","End":true}"#),
             code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "Wait timestamp not RFC 3339", definition: one(#"{"Type":"Wait","Timestamp":"2016-12-05T21:29:29","End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/Timestamp"),
        Case(rule: "negative Wait seconds", definition: one(#"{"Type":"Wait","Seconds":-1,"End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/Seconds"),
        Case(rule: "Task without Resource", definition: one(#"{"Type":"Task","End":true}"#), code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "unrecognised Resource", definition: one(#"{"Type":"Task","Resource":"lambda-f","End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/Resource"),
        Case(rule: "TimeoutSeconds zero", definition: one(#"{"Type":"Task","Resource":"\#(lambda)","TimeoutSeconds":0,"End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/TimeoutSeconds"),
        Case(rule: "HeartbeatSeconds not below TimeoutSeconds",
             definition: one(#"{"Type":"Task","Resource":"\#(lambda)","TimeoutSeconds":5,"HeartbeatSeconds":5,"End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/HeartbeatSeconds"),
        Case(rule: "TimeoutSeconds with TimeoutSecondsPath",
             definition: one(#"{"Type":"Task","Resource":"\#(lambda)","TimeoutSeconds":5,"TimeoutSecondsPath":"$.t","End":true}"#),
             code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "Credentials without RoleArn",
             definition: one(#"{"Type":"Task","Resource":"\#(lambda)","Credentials":{},"End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/Credentials"),
        Case(rule: "Fail with Error and ErrorPath", definition: one(#"{"Type":"Fail","Error":"E","ErrorPath":"$.e"}"#),
             code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "InputPath on Fail", definition: one(#"{"Type":"Fail","InputPath":"$"}"#), code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "Parallel with no branches", definition: one(#"{"Type":"Parallel","Branches":[],"End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/Branches"),
        Case(rule: "transition out of a branch",
             definition: #"{"StartAt":"A","States":{"A":{"Type":"Parallel","Next":"B","Branches":[{"StartAt":"C","States":{"C":{"Type":"Pass","Next":"B"}}}]},"B":{"Type":"Succeed"}}}"#,
             code: .missingTransitionTarget, location: "/States/A/Branches/0/States/C/Next"),
        Case(rule: "Map without ItemProcessor", definition: one(#"{"Type":"Map","End":true}"#), code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "Map ItemsPath not a reference path",
             definition: one(#"{"Type":"Map","ItemsPath":"$.items[*]","End":true,"ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}}"#),
             code: .schemaValidationFailed, location: "/States/A/ItemsPath"),
        Case(rule: "Map ItemSelector together with Parameters",
             definition: one(#"{"Type":"Map","ItemSelector":{},"Parameters":{},"End":true,"ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}}"#),
             code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "Map processor mode unknown",
             definition: one(#"{"Type":"Map","End":true,"ItemProcessor":{"ProcessorConfig":{"Mode":"FAST"},"StartAt":"B","States":{"B":{"Type":"Succeed"}}}}"#),
             code: .schemaValidationFailed, location: "/States/A/ItemProcessor/ProcessorConfig/Mode"),
        Case(rule: "invalid JSONPath", definition: one(#"{"Type":"Pass","InputPath":"$.a[","End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/InputPath"),
        Case(rule: "ResultPath not a reference path", definition: one(#"{"Type":"Pass","ResultPath":"$.a[*]","End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/ResultPath"),
        Case(rule: "ResultPath on the context", definition: one(#"{"Type":"Pass","ResultPath":"$$.a","End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/ResultPath"),
        Case(rule: "ResultPath on a variable", definition: one(#"{"Type":"Pass","ResultPath":"$v.a","End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/ResultPath"),
        Case(rule: "template value neither path nor intrinsic",
             definition: one(#"{"Type":"Pass","Parameters":{"x.$":"hello"},"End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/Parameters"),
        Case(rule: "intrinsic with the wrong number of arguments",
             definition: one(#"{"Type":"Pass","Parameters":{"x.$":"States.ArrayLength($.a, $.b)"},"End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/Parameters"),
        Case(rule: "intrinsic with a bad escape",
             definition: one(#"{"Type":"Pass","Parameters":{"x.$":"States.Format('a\\n', 1)"},"End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/Parameters"),
        Case(rule: "template keys equal once .$ is removed",
             definition: one(#"{"Type":"Pass","Parameters":{"x.$":"$.a","x":1},"End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/Parameters"),
        Case(rule: "Assign to an invalid variable name", definition: one(#"{"Type":"Pass","Assign":{"1x":1},"End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/Assign/1x"),
        Case(rule: "Assign to the reserved name states", definition: one(#"{"Type":"Pass","Assign":{"states":1},"End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/Assign/states"),
        Case(rule: "Assign on Succeed", definition: one(#"{"Type":"Succeed","Assign":{"x":1}}"#), code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "JSONPath field in a JSONata state", definition: one(#"{"Type":"Pass","InputPath":"$","End":true}"#, language: "JSONata"),
             code: .schemaValidationFailed, location: "/States/A/InputPath"),
        Case(rule: "JSONata field in a JSONPath state", definition: one(#"{"Type":"Pass","Output":{},"End":true}"#),
             code: .schemaValidationFailed, location: "/States/A/Output"),
        Case(rule: "JSONPath state in a JSONata machine",
             definition: one(#"{"Type":"Pass","QueryLanguage":"JSONPath","End":true}"#, language: "JSONata"),
             code: .schemaValidationFailed, location: "/States/A"),
        Case(rule: "JSONata Arguments using $states.result",
             definition: one(#"{"Type":"Task","Resource":"\#(lambda)","Arguments":{"a":"{% $states.result %}"},"End":true}"#, language: "JSONata"),
             code: .schemaValidationFailed, location: "/States/A/Arguments"),
        Case(rule: "JSONata Choice rule without Condition",
             definition: one(#"{"Type":"Choice","Choices":[{"Next":"A"}]}"#, language: "JSONata"),
             code: .schemaValidationFailed, location: "/States/A/Choices/0"),
    ]

    @Test(arguments: cases)
    func invalidDefinitionIsReported(_ testCase: Case) {
        let diagnostics = DefinitionLoader.validate(Array(testCase.definition.utf8))
        #expect(diagnostics.contains { $0.code == testCase.code && $0.location == testCase.location },
                "\(testCase.rule): got \(diagnostics.map(\.description))")
        #expect(diagnostics.allSatisfy { $0.severity == .error })
    }

    @Test func everyProblemIsReportedNotOnlyTheFirst() {
        let definition = #"{"StartAt":"A","Comment":1,"States":{"A":{"Type":"Pass","Next":"X","Foo":1},"B":{"Type":"Bogus"}}}"#
        let locations = Set(DefinitionLoader.validate(Array(definition.utf8)).map(\.location))
        #expect(locations == ["/Comment", "/States/A/Next", "/States/A", "/States/B/Type"])
    }

    @Test func awsWordingForInvalidDefinition() throws {
        let error = try #require(throws: InvalidDefinition.self) { try StateMachine(definition: "{}") }
        #expect(error.description == "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States, StartAt] at /'")
    }
}
