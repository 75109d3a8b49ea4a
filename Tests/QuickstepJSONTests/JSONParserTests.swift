import Testing
import QuickstepJSON

@Suite struct JSONParserTests {
    @Test func integersThatFitInt64StayExact() throws {
        #expect(try JSONParser.parse("0") == .int(0))
        #expect(try JSONParser.parse("-0").integerValue == 0)
        #expect(try JSONParser.parse("9223372036854775807") == .int(.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(.min))
        // 2^53 + 1 is not representable as a Double; it must survive exactly.
        guard case .int(9_007_199_254_740_993) = try JSONParser.parse("9007199254740993") else {
            Issue.record("2^53 + 1 was not kept as an exact integer")
            return
        }
    }

    @Test func otherNumbersAreDoubles() throws {
        #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        guard case .double(1.0) = try JSONParser.parse("1.0") else {
            Issue.record("1.0 must be a Double, not an integer")
            return
        }
        #expect(try JSONParser.parse("-1.5e3") == .double(-1500))
        #expect(try JSONParser.parse("1E-2") == .double(0.01))
        #expect(try JSONParser.parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
        // Underflow is not an error: the nearest double is zero.
        #expect(try JSONParser.parse("1e-400") == .double(0))
    }

    @Test func numbersThatAreNotFiniteAreErrors() throws {
        let error = try #require(throws: JSONParseError.self) { try JSONParser.parse("[1, 1e400]") }
        #expect(error.reason == .numberOutOfRange)
        #expect(error.offset == 4)
        #expect(error.description == "number out of range at line 1, column 5 (byte 4): it is not a finite double")
    }

    @Test func errorsNameLineColumnAndWhatWasExpected() throws {
        let text = "{\n  \"a\": 1,\n  \"b\": }"
        let error = try #require(throws: JSONParseError.self) { try JSONParser.parse(text) }
        #expect(error.offset == 19)
        #expect(error.line == 3)
        #expect(error.column == 8)
        #expect(error.description == "unexpected character '}' at line 3, column 8 (byte 19): expected a value")
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let error = try #require(throws: JSONParseError.self) { try JSONParser.parse("[\"é\" x]") }
        #expect(error.offset == 6)
        #expect(error.column == 6)
    }

    @Test func errorCases() throws {
        let cases: [(String, JSONParseError.Reason)] = [
            ("", .unexpectedEnd(expected: "a value")),
            ("[1,", .unexpectedEnd(expected: "a value")),
            ("[1 2]", .unexpectedCharacter(found: UInt8(ascii: "2"), expected: "',' or ']' after an array element")),
            ("{\"a\" 1}", .unexpectedCharacter(found: UInt8(ascii: "1"), expected: "':' after an object key")),
            ("{1:2}", .unexpectedCharacter(found: UInt8(ascii: "1"), expected: "a string key")),
            ("[1] x", .trailingCharacters),
            ("01", .trailingCharacters),
            ("tru", .unexpectedEnd(expected: "'true'")),
            ("\"a\u{01}\"", .unescapedControlCharacter(0x01)),
            ("\"\\x\"", .invalidEscape(UInt8(ascii: "x"))),
            ("\"\\uD800\"", .loneSurrogate(0xD800)),
            ("\"\\uDC00\"", .loneSurrogate(0xDC00)),
            ("\"\\uD800\\u0041\"", .loneSurrogate(0xD800)),
            ("1.", .unexpectedEnd(expected: "a digit after the decimal point")),
            ("-", .unexpectedEnd(expected: "a digit")),
        ]
        for (text, reason) in cases {
            let error = try #require(throws: JSONParseError.self, "\(text)") { try JSONParser.parse(text) }
            #expect(error.reason == reason, "\(text)")
        }
    }

    @Test func invalidUTF8IsRejected() throws {
        let cases: [[UInt8]] = [
            [0x22, 0xC0, 0x80, 0x22],  // overlong NUL
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // an encoded surrogate
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
            [0x22, 0xE2, 0x82, 0x22],  // truncated sequence
            [0x22, 0xFF, 0x22],
        ]
        for bytes in cases {
            let error = try #require(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
            #expect(error.reason == .invalidUTF8, "\(bytes)")
        }
    }

    @Test func escapesDecode() throws {
        let value = try JSONParser.parse(#""a\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00\u0000z""#)
        #expect(value == .string("a\"\\/\u{08}\u{0C}\n\r\t\u{E9}\u{1F600}\u{0}z"))
    }

    @Test func objectsKeepKeyOrderAndRepeatedKeysKeepFirstPositionLastValue() throws {
        let value = try JSONParser.parse(#"{"b": 1, "a": 2, "b": 3}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["b", "a"])
        #expect(object["b"] == .int(3))
        #expect(value.compactText == #"{"b":3,"a":2}"#)
    }

    @Test func depthLimitIsConfigurable() throws {
        #expect(try JSONParser.parse("[[[1]]]", options: .init(maximumDepth: 3)) == [[[1]]])
        let error = try #require(throws: JSONParseError.self) {
            try JSONParser.parse("[[[[1]]]]", options: .init(maximumDepth: 3))
        }
        #expect(error.reason == .tooDeep(limit: 3))
        #expect(error.offset == 3)
    }

    @Test func largeObjectsAreIndexed() throws {
        let members = (0..<100).map { "\"k\($0)\": \($0)" }.joined(separator: ",")
        let value = try JSONParser.parse("{\(members)}")
        let object = try #require(value.objectValue)
        #expect(object.count == 100)
        #expect(object["k57"] == .int(57))
        #expect(object.position(of: "k99") == 99)
        #expect(object["missing"] == nil)
    }
}
