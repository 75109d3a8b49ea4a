import Testing
import QuickstepJSON

@Suite struct JSONSerializerTests {
    @Test func compactHasNoWhitespaceAndKeepsOrder() throws {
        let value = try JSONParser.parse(#" { "z" : [ 1 , true , null ] , "a" : { } , "m" : [ ] } "#)
        #expect(value.compactText == #"{"z":[1,true,null],"a":{},"m":[]}"#)
    }

    @Test func stringsAreEscapedAsJacksonEscapesThem() {
        let value = JSONValue.string("q\"b\\s/\u{08}\u{0C}\n\r\t\u{01}\u{1F}\u{7F}é😀")
        #expect(value.compactText == "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001F\u{7F}é😀\"")
    }

    @Test(arguments: [
        (1.0, "1.0"), (-0.0, "-0.0"), (0.0, "0.0"), (12.5, "12.5"), (0.001, "0.001"), (1234567.0, "1234567.0"),
        (1e7, "1.0E7"), (0.0001, "1.0E-4"), (1.5e-5, "1.5E-5"), (123456789.0, "1.23456789E8"),
        (1e300, "1.0E300"), (Double.leastNonzeroMagnitude, "4.9E-324"), (1e-322, "9.9E-323"), (0.1, "0.1"), (100.25, "100.25"), (-3.75, "-3.75"),
        (9999999.0, "9999999.0"), (1.7976931348623157e308, "1.7976931348623157E308"),
    ])
    func doublesAreWrittenAsJavaWritesThem(number: Double, text: String) throws {
        // Expected texts are Java's Double.toString (JDK 19+, shortest repr) for the same doubles.
        #expect(JSONValue.double(number).compactText == text)
        #expect(try JSONParser.parse(text) == .double(number))
    }

    @Test func prettyIndentsByTwo() throws {
        let value = try JSONParser.parse(#"{"a":[1,{"b":null}],"c":{}}"#)
        #expect(value.prettyText == """
            {
              "a": [
                1,
                {
                  "b": null
                }
              ],
              "c": {}
            }
            """)
    }

    @Test func canonicalSortsKeysAndNormalisesIntegralNumbers() throws {
        let first = try JSONParser.parse(#"{"b": 1.0, "a": [2, {"y": 1, "x": 0.5}], "é": 1, "Z": 2}"#)
        let second = try JSONParser.parse(#"{"Z": 2.0, "é": 1, "a": [2.0, {"x": 0.5, "y": 1}], "b": 1}"#)
        #expect(first.canonicalText == #"{"Z":2,"a":[2,{"x":0.5,"y":1}],"b":1,"é":1}"#)
        #expect(first.canonicalText == second.canonicalText)
    }
}
