import QuickstepTestSupport
import Testing
import QuickstepEngine
import QuickstepJSON
import QuickstepLanguage

/// Choice rules run as flat code (`ChoiceCode`): nested connectives compiled to a graph of tests that jump to the
/// next test or to an outcome, tests read in place, `$.name` variables found from where they were found last.
/// Expected values are worked out from the ASL specification next to each.
@Suite struct ChoiceCodeTests {
    /// `And`/`Or`/`Not` nested three deep, every branch's rule laid out after the previous one's.
    /// Rule 1: Not(And(a > 5, Or(s == "x", b == true))). Rule 2: Or(And(a < 0, b == true), Not(Or(s == "y", a == 3))).
    @Test func nestedConnectivesFollowTheirTruthTables() throws {
        let definition = #"""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
              {"Not":{"And":[{"Variable":"$.a","NumericGreaterThan":5},
                             {"Or":[{"Variable":"$.s","StringEquals":"x"},{"Variable":"$.b","BooleanEquals":true}]}]},
               "Next":"One"},
              {"Or":[{"And":[{"Variable":"$.a","NumericLessThan":0},{"Variable":"$.b","BooleanEquals":true}]},
                     {"Not":{"Or":[{"Variable":"$.s","StringEquals":"y"},{"Variable":"$.a","NumericEquals":3}]}}],
               "Next":"Two"}],
              "Default":"None"},
             "One":{"Type":"Pass","Result":1,"End":true},"Two":{"Type":"Pass","Result":2,"End":true},
             "None":{"Type":"Pass","Result":0,"End":true}}}
            """#
        // a = 9, s = "x": And holds, so rule 1 fails; rule 2: a < 0 fails, s != "y" and a != 3, so Not(Or) holds.
        #expect(try execute(definition, input: ["a": 9, "s": "x", "b": false]).output == 2)
        // a = 9, s = "y", b = true: rule 1 fails (And holds via b); rule 2: first And fails, Or(s == "y") holds.
        #expect(try execute(definition, input: ["a": 9, "s": "y", "b": true]).output == 0)
        // a = 2: a > 5 fails, so the And fails and Not holds: rule 1.
        #expect(try execute(definition, input: ["a": 2, "s": "y", "b": true]).output == 1)
        // a = 9, s = "z", b = false: the inner Or fails, so the And fails and rule 1 holds.
        #expect(try execute(definition, input: ["a": 9, "s": "z", "b": false]).output == 1)
    }

    /// `Or` stops at its first true operand and `And` at its first false one: a later operand on an absent path,
    /// which would fail the execution, is never evaluated (AWS evaluates operands in order and stops likewise).
    @Test func connectivesStopAtTheFirstDecidingOperand() throws {
        let definition = #"""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
              {"And":[{"Variable":"$.a","NumericEquals":1},{"Variable":"$.absent","NumericEquals":1}],"Next":"And"},
              {"Or":[{"Variable":"$.a","NumericEquals":2},{"Variable":"$.absent","NumericEquals":1}],"Next":"Or"}],
              "Default":"None"},
             "And":{"Type":"Pass","Result":"and","End":true},"Or":{"Type":"Pass","Result":"or","End":true},
             "None":{"Type":"Pass","Result":"none","End":true}}}
            """#
        #expect(try execute(definition, input: ["a": 2]).output == "or")
        let failed = try execute(definition, input: ["a": 1])
        #expect(failed.status == .failed)
        #expect(failed.error == "States.Runtime")
        #expect(failed.cause == "An error occurred while executing the state 'C' (entered at the event id #2). "
            + "Invalid path '$.absent': The choice state's condition path references an invalid value.")
    }

    /// One program, inputs of different shapes one after another: the remembered position of `$.a` must never
    /// give another member's value, whether `a` moved, vanished or the input is not an object at all.
    @Test func rememberedMemberPositionsFollowEachInput() throws {
        let program = Program(try StateMachine(definition: #"""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
              {"Variable":"$.a","IsPresent":false,"Next":"Absent"},
              {"Variable":"$.a","NumericGreaterThan":10,"Next":"Big"}],
              "Default":"Small"},
             "Absent":{"Type":"Pass","Result":"absent","End":true},"Big":{"Type":"Pass","Result":"big","End":true},
             "Small":{"Type":"Pass","Result":"small","End":true}}}
            """#))
        let cases: [(JSONValue, JSONValue)] = [
            (["a": 11, "b": 1], "big"),
            (["b": 50, "a": 1], "small"),
            (["b": 50, "c": 50], "absent"),
            (["b": 50, "a": 20], "big"),
            ([1, 2, 3], "absent"),
            (["a": 5], "small"),
            (["x": 1, "y": 2, "z": 3, "a": 12], "big"),
            (["a": 12], "big"),
        ]
        for (input, expected) in cases {
            let result = program.run(input: input, handlers: TaskHandlerRegistry(), options: ExecutionOptions())
            #expect(result.output == expected, "\(input)")
        }
    }

    /// Path operands and timestamps in flat code: `NumericLessThanPath` reads the other member, and a timestamp
    /// literal compares as an instant (an offset of +01:00 is an hour earlier in UTC).
    @Test func pathOperandsAndTimestampLiterals() throws {
        let definition = #"""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
              {"Variable":"$.t","TimestampEquals":"2024-05-01T12:00:00+01:00","Next":"Same"},
              {"Variable":"$.x","NumericLessThanPath":"$.limit","Next":"Under"}],
              "Default":"Over"},
             "Same":{"Type":"Pass","Result":"same","End":true},"Under":{"Type":"Pass","Result":"under","End":true},
             "Over":{"Type":"Pass","Result":"over","End":true}}}
            """#
        #expect(try execute(definition, input: ["t": "2024-05-01T11:00:00Z", "x": 1, "limit": 0]).output == "same")
        #expect(try execute(definition, input: ["t": "2024-05-01T12:00:00Z", "x": 1, "limit": 2]).output == "under")
        #expect(try execute(definition, input: ["t": "2024-05-01T12:00:00Z", "x": 2, "limit": 2]).output == "over")
    }

    /// Variables and operand paths that are not `$.name` are walked where the test keeps them: nested members and
    /// an index on both sides, and an operand path that matches nothing fails as AWS words it.
    @Test func walkedVariableAndOperandPaths() throws {
        let definition = #"""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
              {"Variable":"$.a.values[1]","NumericGreaterThanPath":"$.limits.high","Next":"High"}],
              "Default":"Low"},
             "High":{"Type":"Pass","Result":"high","End":true},"Low":{"Type":"Pass","Result":"low","End":true}}}
            """#
        #expect(try execute(definition, input: ["a": ["values": [0, 7]], "limits": ["high": 5]]).output == "high")
        #expect(try execute(definition, input: ["a": ["values": [9, 3]], "limits": ["high": 5]]).output == "low")
        let missing = try execute(definition, input: ["a": ["values": [0, 7]], "limits": [:]])
        #expect(missing.error == "States.Runtime")
        #expect(missing.cause?.hasSuffix("Invalid path '$.limits.high': The choice state's condition path references an invalid value.") == true)
    }

    /// String and timestamp tests read both sides where they lie, short strings (kept inline) and long ones (kept
    /// in storage of their own) alike. The specification orders strings by code point: a prefix sorts first, "Z"
    /// (U+005A) before "a" (U+0061), "é" (U+00E9) after "z" (U+007A), and "€" (U+20AC) after "é".
    @Test func stringsAndTimestampsAreComparedInPlace() throws {
        let definition = #"""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
              {"Variable":"$.s","StringLessThanPath":"$.t","Next":"Less"},
              {"Variable":"$.s","StringEqualsPath":"$.t","Next":"Equal"},
              {"Variable":"$.s","TimestampGreaterThanPath":"$.t","Next":"Later"}],
              "Default":"Greater"},
             "Less":{"Type":"Pass","Result":"less","End":true},"Equal":{"Type":"Pass","Result":"equal","End":true},
             "Later":{"Type":"Pass","Result":"later","End":true},"Greater":{"Type":"Pass","Result":"greater","End":true}}}
            """#
        let long = "a string long enough to be stored out of line"
        let cases: [(String, String, JSONValue)] = [
            ("abc", "abd", "less"), ("abc", "ab", "greater"), ("ab", "abc", "less"), ("Z", "a", "less"),
            ("z", "é", "less"), ("€", "é", "greater"), ("", "a", "less"), (long, long, "equal"),
            (long, long + "!", "less"), (long + "b", long + "a", "greater"),
            // Both timestamps: the greater string, but the earlier instant ("2024-05-01T13:00:00+02:00" is 11:00Z,
            // before 12:00Z), so the third rule fails too and the Default is taken.
            ("2024-05-01T13:00:00+02:00", "2024-05-01T12:00:00Z", "greater"),
        ]
        for (left, right, expected) in cases {
            #expect(try execute(definition, input: ["s": .string(left), "t": .string(right)]).output == expected, "\(left) vs \(right)")
        }
        let timestamps = #"""
            {"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[
              {"Variable":"$.s","TimestampGreaterThanPath":"$.t","Next":"Later"},
              {"Variable":"$.s","IsTimestamp":true,"Next":"Timestamp"}],
              "Default":"Other"},
             "Later":{"Type":"Pass","Result":"later","End":true},"Timestamp":{"Type":"Pass","Result":"timestamp","End":true},
             "Other":{"Type":"Pass","Result":"other","End":true}}}
            """#
        // 12:30+01:00 is 11:30Z, after 11:00Z; 12:00Z is not after itself; a number is no timestamp.
        #expect(try execute(timestamps, input: ["s": "2024-05-01T12:30:00+01:00", "t": "2024-05-01T11:00:00Z"]).output == "later")
        #expect(try execute(timestamps, input: ["s": "2024-05-01T12:00:00Z", "t": "2024-05-01T12:00:00Z"]).output == "timestamp")
        #expect(try execute(timestamps, input: ["s": "2024-05-01 12:00:00Z", "t": "2024-05-01T12:00:00Z"]).output == "other")
        #expect(try execute(timestamps, input: ["s": 5, "t": "2024-05-01T12:00:00Z"]).output == "other")
    }

    /// Rules as a graph of tests (``ChoiceCode``): random rule trees of `And`, `Or` and `Not` (up to four deep)
    /// over `BooleanEquals` tests of four variables, three rules per state, against every one of the 16 inputs. The
    /// branch chosen must be the first rule whose tree holds under Boolean logic (the specification's meaning of
    /// `And`, `Or`, `Not` and `Choices`), evaluated here by a plain recursive reference; the Default otherwise.
    @Test func randomRuleTreesChooseAsBooleanLogicDoes() throws {
        indirect enum Tree {
            case test(variable: Int, expected: Bool)
            case and([Tree]), or([Tree]), not(Tree)

            func holds(_ values: [Bool]) -> Bool {
                switch self {
                case .test(let variable, let expected): values[variable] == expected
                case .and(let operands): operands.allSatisfy { $0.holds(values) }
                case .or(let operands): operands.contains { $0.holds(values) }
                case .not(let operand): !operand.holds(values)
                }
            }

            var json: String {
                switch self {
                case .test(let variable, let expected): #"{"Variable":"$.v\#(variable)","BooleanEquals":\#(expected)}"#
                case .and(let operands): #"{"And":[\#(operands.map(\.json).joined(separator: ","))]}"#
                case .or(let operands): #"{"Or":[\#(operands.map(\.json).joined(separator: ","))]}"#
                case .not(let operand): #"{"Not":\#(operand.json)}"#
                }
            }
        }
        var random = SplitMix64(seed: 7)
        func tree(depth: Int) -> Tree {
            let kind = depth == 0 ? 0 : random.below(4)
            let operands = { (0..<(1 + random.below(3))).map { _ in tree(depth: depth - 1) } }
            switch kind {
            case 1: return .and(operands())
            case 2: return .or(operands())
            case 3: return .not(tree(depth: depth - 1))
            default: return .test(variable: random.below(4), expected: random.below(2) == 0)
            }
        }
        for _ in 0..<40 {
            let rules = (0..<3).map { _ in tree(depth: 4) }
            let choices = rules.enumerated().map { #"\#($1.json.dropLast()),"Next":"R\#($0)"}"# }
            let definition = #"{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[\#(choices.joined(separator: ","))],"Default":"None"},"#
                + (0..<3).map { #""R\#($0)":{"Type":"Pass","Result":\#($0),"End":true},"# }.joined()
                + #""None":{"Type":"Pass","Result":-1,"End":true}}}"#
            let program = Program(try StateMachine(definition: definition))
            for bits in 0..<16 {
                let values = (0..<4).map { bits >> $0 & 1 == 1 }
                let input = JSONValue.object(JSONObject((0..<4).map { ("v\($0)", JSONValue.bool(values[$0])) }))
                let expected = rules.firstIndex { $0.holds(values) } ?? -1
                #expect(program.run(input: input).output == .int(Int64(expected)), "\(definition) with \(values)")
            }
        }
    }
}
