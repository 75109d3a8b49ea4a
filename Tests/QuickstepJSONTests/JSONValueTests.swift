import Testing
import QuickstepJSON

@Suite struct JSONValueTests {
    /// isSameContainer: true only for copies of one container nobody changed since; equal values stored apart,
    /// a changed copy, empty containers and scalars are not "the same container".
    @Test func sameContainerOnlyForUnchangedCopies() throws {
        let object = try JSONParser.parse(#"{"a":1,"b":[1,2]}"#)
        let copy = object
        #expect(object.isSameContainer(as: copy))
        #expect(!object.isSameContainer(as: try JSONParser.parse(#"{"a":1,"b":[1,2]}"#)))
        guard case .object(var members) = object else { Issue.record("not an object"); return }
        members["a"] = 2
        #expect(!object.isSameContainer(as: .object(members)))
        let array: JSONValue = [1, 2, 3]
        #expect(array.isSameContainer(as: array))
        #expect(!array.isSameContainer(as: [1, 2, 3]))
        #expect(!JSONValue.object([:]).isSameContainer(as: .object([:])))
        #expect(!JSONValue.string("x").isSameContainer(as: "x"))
        #expect(!object.isSameContainer(as: array))
    }

    @Test func equalityIgnoresKeyOrderButNotArrayOrder() throws {
        #expect(try JSONParser.parse(#"{"a":1,"b":[1,2]}"#) == JSONParser.parse(#"{"b":[1,2],"a":1}"#))
        #expect(try JSONParser.parse("[1,2]") != JSONParser.parse("[2,1]"))
        #expect(try JSONParser.parse(#"{"a":1}"#) != JSONParser.parse(#"{"a":1,"b":2}"#))
        #expect(try JSONParser.parse(#"{"a":1,"b":2}"#) != JSONParser.parse(#"{"a":1,"c":2}"#))
    }

    @Test func numbersCompareByValue() {
        #expect(JSONValue.int(1) == .double(1.0))
        #expect(JSONValue.double(1.5) != .int(1))
        // 2^53 + 1 is not equal to the double 2^53, although converting it to Double would make it so.
        #expect(JSONValue.int(9_007_199_254_740_993) != .double(9_007_199_254_740_992))
        #expect(JSONValue.int(0) == .double(-0.0))
        #expect(JSONValue.string("1") != .int(1))
        #expect(JSONValue.bool(true) != .int(1))
    }

    @Test func hashingAgreesWithEquality() throws {
        let pairs: [(JSONValue, JSONValue)] = [
            (.int(1), .double(1.0)),
            (try JSONParser.parse(#"{"a":1,"b":{"c":[1.0]}}"#), try JSONParser.parse(#"{"b":{"c":[1]},"a":1.0}"#)),
        ]
        for (lhs, rhs) in pairs {
            #expect(lhs == rhs)
            #expect(lhs.hashValue == rhs.hashValue)
        }
        let set: Set<JSONValue> = [.int(2), .double(2.0), "2"]
        #expect(set.count == 2)
    }

    @Test func objectEditingKeepsPositions() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = "two"
        object["d"] = 4
        object["a"] = nil
        #expect(object.keys == ["b", "c", "d"])
        #expect(JSONValue.object(object).compactText == #"{"b":"two","c":3,"d":4}"#)
    }

    @Test func objectsGainAnIndexPastTheThresholdAndKeepItThroughEdits() {
        var object = JSONObject()
        for number in 0..<(JSONObject.indexThreshold * 2) { object["k\(number)"] = .int(Int64(number)) }
        object.removeValue(forKey: "k3")
        object["k5"] = "five"
        #expect(object.count == JSONObject.indexThreshold * 2 - 1)
        #expect(object.position(of: "k4") == 3)
        #expect(object["k5"] == "five")
        #expect(object["k3"] == nil)
        for number in 0..<(JSONObject.indexThreshold * 2) where number != 3 && number != 5 {
            #expect(object["k\(number)"] == .int(Int64(number)))
        }
    }

    @Test func accessors() throws {
        let value = try JSONParser.parse(#"{"s":"x","n":2.0,"i":3,"b":false,"a":[null],"o":{}}"#)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["n"]?.integerValue == 2)
        #expect(value["n"]?.numberValue == 2.0)
        #expect(value["i"]?.numberValue == 3.0)
        #expect(value["b"]?.boolValue == false)
        #expect(value["a"]?[0]?.isNull == true)
        #expect(value["a"]?[1] == nil)
        #expect(value["o"]?.objectValue?.isEmpty == true)
        #expect(value["missing"] == nil)
        #expect(value.typeName == "object")
        #expect(value["n"]?.typeName == "number")
    }
}
