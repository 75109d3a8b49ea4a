import Testing
import QuickstepJSON
import QuickstepLanguage
import QuickstepTestSupport

@Suite struct JSONPathParserTests {
    @Test func roots() throws {
        #expect(try JSONPath.parse("$").root == .input)
        #expect(try JSONPath.parse("$$.Execution.Id").root == .context)
        #expect(try JSONPath.parse("$total.amount").root == .variable("total"))
        #expect(throws: JSONPathSyntaxError.self) { try JSONPath.parse("$x", allowVariables: false) }
        #expect(throws: JSONPathSyntaxError.self) { try JSONPath.parse("a.b") }
    }

    @Test func segments() throws {
        #expect(try JSONPath.parse("$.store.book[0]['title']").segments == [.member("store"), .member("book"), .index(0), .member("title")])
        #expect(try JSONPath.parse("$.items[-1]").segments == [.member("items"), .index(-1)])
        #expect(try JSONPath.parse("$.items[1:5]").segments == [.member("items"), .slice(start: 1, end: 5, step: nil)])
        #expect(try JSONPath.parse("$.items[:1]").segments == [.member("items"), .slice(start: nil, end: 1, step: nil)])
        #expect(try JSONPath.parse("$.items[::2]").segments == [.member("items"), .slice(start: nil, end: nil, step: 2)])
        #expect(try JSONPath.parse("$[*].a").segments == [.wildcard, .member("a")])
        #expect(try JSONPath.parse("$.a.*").segments == [.member("a"), .wildcard])
        #expect(try JSONPath.parse("$..price").segments == [.descendant(.member("price"))])
        #expect(try JSONPath.parse("$['a','b']").segments == [.members(["a", "b"])])
        #expect(try JSONPath.parse("$[0,2]").segments == [.indexes([0, 2])])
    }

    /// A reference path's segments also come as steps (what the engine walks in place); other paths have none.
    @Test func referencePathsHaveSteps() throws {
        #expect(try JSONPath.parse("$.store.book[-1]['a b']").steps == [
            .init(name: "store", index: 0, isMember: true), .init(name: "book", index: 0, isMember: true),
            .init(name: "", index: -1, isMember: false), .init(name: "a b", index: 0, isMember: true),
        ])
        #expect(try JSONPath.parse("$").steps.isEmpty)
        #expect(try JSONPath.parse("$.items[*].id").steps.isEmpty)
        #expect(try JSONPath.parse("$..price").steps.isEmpty)
    }

    @Test func filters() throws {
        let path = try JSONPath.parse("$.users[?(@.status == 0)]")
        #expect(path.segments == [.member("users"), .filter(.compare(.current([.member("status")]), .equal, .literal(0)))])
        let combined = try JSONPath.parse("$.a[?(@.x > 1 && (@.y == 'z' || !@.w))]")
        #expect(combined.segments.last == .filter(.and(
            .compare(.current([.member("x")]), .greaterThan, .literal(1)),
            .or(.compare(.current([.member("y")]), .equal, .literal("z")), .not(.exists(.current([.member("w")])))))))
        #expect(throws: JSONPathSyntaxError.self) { try JSONPath.parse("$.a[?(@.x =~ /a/)]") }
    }

    /// The reference paths the ASL specification says must parse.
    @Test func specificationReferencePaths() throws {
        let cases: [(String, [JSONPath.Segment])] = [
            ("$.store.book", [.member("store"), .member("book")]),
            ("$.store\\.book", [.member("store.book")]),
            ("$.\\stor\\e.boo\\k", [.member("store"), .member("book")]),
            ("$.foo.\\.bar", [.member("foo"), .member(".bar")]),
            ("$.foo\\@bar.baz\\[\\[.\\?pretty", [.member("foo@bar"), .member("baz[["), .member("?pretty")]),
            ("$.&Ж中.\u{10346}", [.member("&Ж中"), .member("\u{10346}")]),
            ("$.ledgers.branch[0].pending.count", [.member("ledgers"), .member("branch"), .index(0), .member("pending"), .member("count")]),
            ("$.ledgers[0][22][315].foo", [.member("ledgers"), .index(0), .index(22), .index(315), .member("foo")]),
            ("$['store']['book']", [.member("store"), .member("book")]),
            ("$['store'][0]['book']", [.member("store"), .index(0), .member("book")]),
        ]
        for (text, segments) in cases {
            let path = try JSONPath.parse(text)
            #expect(path.segments == segments, "\(text)")
            #expect(path.isReferencePath, "\(text)")
        }
    }

    @Test func referencePathsNameOneNode() throws {
        for text in ["$.a[*]", "$..a", "$.a[1:2]", "$.a[0,1]", "$.a[?(@.b)]", "$['a','b']"] {
            #expect(try !JSONPath.parse(text).isReferencePath, "\(text)")
        }
    }

    @Test func errorsSayWhere() {
        let error = #expect(throws: JSONPathSyntaxError.self) { try JSONPath.parse("$.a[1") }
        #expect(error?.offset == 5)
        #expect(error?.description == "invalid JSONPath '$.a[1' at character 6: expected ']'")
    }
}

@Suite struct IntrinsicParserTests {
    @Test func nestedCallsAndArgumentKinds() throws {
        let call = try IntrinsicCall.parse("States.Format('Hello {} from {}', $.name, States.ArrayGetItem($$.Execution.Input.list, 1))")
        #expect(call.function == .format)
        #expect(call.arguments.count == 3)
        #expect(call.arguments[1] == .path(try JSONPath.parse("$.name")))
        guard case .call(let inner) = call.arguments[2] else {
            Issue.record("expected a nested call")
            return
        }
        #expect(inner.function == .arrayGetItem)
        #expect(inner.arguments == [.path(try JSONPath.parse("$$.Execution.Input.list")), .literal(1)])
        #expect(call.formatTemplate == [.text("Hello "), .placeholder, .text(" from "), .placeholder])
    }

    @Test func literals() throws {
        let call = try IntrinsicCall.parse("States.Array('a', 1, -2.5, true, false, null, $var.x)")
        #expect(call.arguments == [.literal("a"), .literal(1), .literal(-2.5), .literal(true), .literal(false), .literal(nil),
                                   .path(try JSONPath.parse("$var.x"))])
        #expect(try IntrinsicCall.parse("States.UUID()").arguments.isEmpty)
    }

    @Test func escapesInStrings() throws {
        // In the definition's JSON these are written \\' \\{ \\} \\\\.
        let call = try IntrinsicCall.parse(#"States.Format('it\'s \{literal\} and {} \\ done', $.x)"#)
        #expect(call.arguments[0] == .literal(#"it's {literal} and {} \ done"#))
        #expect(call.formatTemplate == [.text("it's {literal} and "), .placeholder, .text(#" \ done"#)])
    }

    @Test func pathArgumentsMayHoldBracketsAndCommas() throws {
        let call = try IntrinsicCall.parse("States.ArrayContains($.a['x,y'][0], $.b)")
        #expect(call.arguments == [.path(try JSONPath.parse("$.a['x,y'][0]")), .path(try JSONPath.parse("$.b"))])
    }

    @Test(arguments: IntrinsicFunction.allCases)
    func everyFunctionChecksItsArity(function: IntrinsicFunction) throws {
        let tooMany = Array(repeating: "1", count: function.arity.upperBound == Int.max ? 0 : function.arity.upperBound + 1)
        if !tooMany.isEmpty {
            #expect(throws: IntrinsicSyntaxError.self) {
                try IntrinsicCall.parse("\(function.rawValue)(\(tooMany.joined(separator: ", ")))")
            }
        }
        let enough = Array(repeating: "1", count: function.arity.lowerBound)
        #expect(try IntrinsicCall.parse("\(function.rawValue)(\(enough.joined(separator: ", ")))").function == function)
    }

    @Test func errors() {
        for text in ["States.Nope()", "States.Format('a'", "States.Format('a\\", "States.Array(1,", "States.Array(1) x",
                     "States.Array(foo)", "States.Format('\\n')"] {
            #expect(throws: IntrinsicSyntaxError.self, "\(text)") { try IntrinsicCall.parse(text) }
        }
        let deep = String(repeating: "States.Array(", count: 11) + String(repeating: ")", count: 11)
        #expect(throws: IntrinsicSyntaxError.self) { try IntrinsicCall.parse(deep) }
    }
}

@Suite struct TimestampTests {
    @Test func parsesTheProfile() throws {
        let zulu = try #require(Timestamp("2016-03-14T01:59:00Z"))
        #expect(zulu.secondsSinceEpoch == 1_457_920_740)
        let offset = try #require(Timestamp("2016-03-14T03:59:00+02:00"))
        #expect(offset == zulu)
        let fraction = try #require(Timestamp("2016-03-14T01:59:00.5Z"))
        #expect(fraction.nanoseconds == 500_000_000)
        #expect(zulu < fraction)
        #expect(Timestamp("2024-02-29T00:00:00Z") != nil)
    }

    @Test func rejectsWhatAWSRejects() {
        for text in ["2016-12-05T21:29:29", "2016-12-05 21:29:29Z", "2016-13-05T21:29:29Z", "2016-12-05T25:29:29Z",
                     "05-12-2016T21:29:29Z", "2016-12-05t21:29:29z", "2023-02-29T00:00:00Z", "2016-12-05T21:29:29.Z", ""] {
            #expect(Timestamp(text) == nil, "\(text)")
        }
    }

    /// `instant(of:)` (what Choice rules use, without keeping the text) reads the fixed places of the date and time
    /// directly: it must accept and reject exactly what the parser does, offsets and fractions included.
    @Test func instantAgreesWithTheParser() throws {
        let western = try #require(Timestamp.instant(of: "2016-03-13T20:29:00-05:30"))
        #expect(western.seconds == 1_457_920_740)  // 2016-03-14T01:59:00Z, as above
        #expect(Timestamp.instant(of: "2016-03-14T01:59:00.1234567891Z")?.nanoseconds == 123_456_789)
        for text in ["2016-03-14T01:59:00Z", "2016-03-14T03:59:00+02:00", "2016-03-14T01:59:00.5Z", "1970-01-01T00:00:00Z",
                     "2016-12-05T21:29:29", "2016-03-14T01:59:00+2:00", "2016-03-14T01:59:00+02:0", "2016-03-14T01:59:00+24:00",
                     "2016-03-14T01:59:00+02:00x", "2016-03-14T01:59:00ZZ", "2016-03-14T01:59:0aZ", "2016-0a-14T01:59:00Z",
                     "2016-03-14T01:59:00.Z", "2024-02-30T00:00:00Z", "2016-03-14T01:59:00", "２016-03-14T01:59:00Z"] {
            let parsed = Timestamp(text)
            let instant = Timestamp.instant(of: text)
            #expect(instant?.seconds == parsed?.secondsSinceEpoch && instant?.nanoseconds == parsed?.nanoseconds, "\(text)")
            #expect((instant == nil) == (parsed == nil), "\(text)")
        }
        #expect(Timestamp.instant(of: "2016-03-14T01:59:00+24:00") == nil)
        #expect(Timestamp.instant(of: "2016-03-14T01:59:00+02:00x") == nil)
        for text in ["2016-03-14T01:59:00.123", "2016-03-14T01:59:00+02:00 ", "2016-03-14T01:59:00-", "2016-03-14T01:59:00.5+02",
                     "2016-03-14T01:59:00+02:60", "2016-03-14T01:59:60Z", "2016-03-14T01:60:00Z", "2016-03-00T01:59:00Z",
                     "2016-00-14T01:59:00Z", "2016-03-14T01:59:00z", "2016-03-14T01:59:00.5.5Z", "2016-03-14T01:59:00+02-00"] {
            #expect(Timestamp.instant(of: text) == nil, "\(text)")
        }
    }

    /// Random valid timestamps (years 1 to 9999, every month's last day, fractions of 1 to 12 digits, both kinds of
    /// zone) against a reference that counts days one year and one month at a time from 1970.
    @Test func instantMatchesDayCounting() throws {
        func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }
        func days(inMonth month: Int, of year: Int) -> Int { [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] }
        func daysSince1970(_ year: Int, _ month: Int, _ day: Int) -> Int {
            var total = 0
            if year >= 1970 { for y in 1970..<year { total += isLeap(y) ? 366 : 365 } } else { for y in year..<1970 { total -= isLeap(y) ? 366 : 365 } }
            for m in 1..<month { total += days(inMonth: m, of: year) }
            return total + day - 1
        }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var random = SplitMix64(seed: 2016)
        for _ in 0..<2_000 {
            let year = Bool.random(using: &random) ? Int.random(in: 1900...2100, using: &random) : Int.random(in: 1...9999, using: &random)
            let month = Int.random(in: 1...12, using: &random)
            let day = Bool.random(using: &random) ? days(inMonth: month, of: year) : Int.random(in: 1...28, using: &random)
            let (hour, minute, second) = (Int.random(in: 0...23, using: &random), Int.random(in: 0...59, using: &random), Int.random(in: 0...59, using: &random))
            let digits = Int.random(in: 0...12, using: &random)
            let fraction = (0..<digits).map { _ in String(Int.random(in: 0...9, using: &random)) }.joined()
            let offset = Bool.random(using: &random) ? 0 : Int.random(in: -(23 * 60 + 59)...(23 * 60 + 59), using: &random)
            let zone = offset == 0 ? "Z" : (offset < 0 ? "-" : "+") + two(abs(offset) / 60) + ":" + two(abs(offset) % 60)
            let yearText = String(repeating: "0", count: 4 - String(year).count) + String(year)
            let text = "\(yearText)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))" + (digits > 0 ? "." + fraction : "") + zone
            let instant = try #require(Timestamp.instant(of: text), "\(text)")
            let seconds = Int64(daysSince1970(year, month, day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset * 60)
            let nanoseconds = Int32(String((fraction + "000000000").prefix(9)))!
            #expect(instant.seconds == seconds && instant.nanoseconds == nanoseconds, "\(text)")
        }
    }
}
