import QuickstepLanguage
import Testing
@testable import QuickstepEngine

/// A task's result is remembered as checked against the payload limit only where something may check it again
/// unchanged: at its graph's end, or as the input of a Map or the output of a Succeed state that follows it. The
/// outcome is the same either way (an unremembered result is walked if it is checked again); this is what the
/// compiler decides.
@Suite struct CheckedResultTests {
    @Test func onlyResultsThatMayBeCheckedAgainAreRemembered() throws {
        let program = Program(try StateMachine(definition: #"""
            {"StartAt":"ToTask","States":{
              "ToTask":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:ToTask","Next":"ToChoice"},
              "ToChoice":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:ToChoice","Next":"C"},
              "C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"ToMap"}],"Default":"ToSucceed"},
              "ToMap":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:ToMap","Next":"M"},
              "M":{"Type":"Map","ItemProcessor":{"StartAt":"InMap","States":{
                "InMap":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:InMap","End":true}}},
                "Next":"Last"},
              "ToSucceed":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:ToSucceed","Next":"S"},
              "S":{"Type":"Succeed"},
              "Last":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:Last","End":true}}}
            """#))
        // Each task's resource is named after its state.
        var kept: [String: Bool] = [:]
        for index in 0..<program.tasks.count {
            let name = String(program.tasks[index].resource.arn.split(separator: ":").last ?? "")
            kept[name] = program.tasks[index].keepsCheckedResult
        }
        #expect(kept == ["ToTask": false, "ToChoice": false, "ToMap": true, "ToSucceed": true, "Last": true, "InMap": true])
    }
}
