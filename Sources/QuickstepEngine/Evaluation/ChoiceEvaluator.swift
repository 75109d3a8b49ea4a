import Atomics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import QuickstepJSON
import QuickstepLanguage

extension Execution {
    /// Runs a Choice state's rules on the effective input at `data`, read in place (the caller keeps it alive and
    /// unchanged): the index of the branch chosen, or `code.branches.count` when none matched.
    func choose(in code: UnsafePointer<ChoiceCode>, data: UnsafePointer<JSONValue>) throws(ExecutionFailure) -> Int {
        let tests = code.pointee.tests.baseAddress.unsafelyUnwrapped
        var target = code.pointee.entry
        while target >= 0 {
            let test = tests + Int(target)
            target = try holds(test, data: data) ? test.pointee.ifTrue : test.pointee.ifFalse
        }
        return ChoiceCode.outcome(target)
    }

    /// Whether one data test holds, read in place: the test in the program's memory, and the variable and operand
    /// where they lie in `data` (copying the found value, and the object it was found in, were a retain and a
    /// release each, several per Choice state).
    @inline(__always)
    private func holds(_ test: UnsafeMutablePointer<ChoiceTest>, data: UnsafePointer<JSONValue>) throws(ExecutionFailure) -> Bool {
        if test.pointee.variableMember.isMember {
            return try holds(test, value: Self.member(ChoiceTest.variableMember(of: test), of: data), data: data)
        }
        return try withValue(at: ChoiceTest.variable(of: test), data: data) { value throws(ExecutionFailure) in
            try holds(test, value: value, data: data)
        }
    }

    /// Calls `body` with the value that `path` names (nil when it names nothing): in place for a reference path on
    /// the effective input, the usual variable; otherwise looked up (and copied) as templates look paths up.
    private func withValue(
        at path: UnsafePointer<JSONPath>, data: UnsafePointer<JSONValue>,
        _ body: (UnsafePointer<JSONValue>?) throws(ExecutionFailure) -> Bool
    ) throws(ExecutionFailure) -> Bool {
        if case .input = path.pointee.root, path.pointee.isReferencePath {
            return try body(PathEvaluator.node(path, in: data))
        }
        switch try lookup(path, data: data.pointee) {
        case .found(let found): return try withUnsafePointer(to: found) { value throws(ExecutionFailure) in try body(value) }
        case .missing: return try body(nil)
        }
    }

    /// Whether the test holds for the variable's value `found` (nil: the variable matched nothing).
    @inline(__always)
    private func holds(
        _ test: UnsafeMutablePointer<ChoiceTest>, value found: UnsafePointer<JSONValue>?, data: UnsafePointer<JSONValue>
    ) throws(ExecutionFailure) -> Bool {
        let shortcut = test.pointee.shortcut
        if shortcut == .isPresent { return (found != nil) == test.pointee.flag }
        guard let found else {
            throw .runtime(causePrefix() + "Invalid path '\(test.pointee.variable.text)': The choice state's condition path references an invalid value.")
        }
        switch shortcut {
        case .numberAgainstLiteral:
            guard let number = Self.number(at: found) else { return false }
            return test.pointee.orders(number, test.pointee.number)
        case .numberAgainstMember:
            // An operand that is missing goes the general way, which names it in the error.
            guard let operand = Self.member(ChoiceTest.operandMember(of: test), of: data) else { break }
            guard let number = Self.number(at: found), let other = Self.number(at: operand) else { return false }
            return test.pointee.orders(number, other)
        case .stringEqualsLiteral:
            // Most literals and values are small strings, equal exactly when their words are.
            guard let text = JSONValue.unsafeString(at: found) else { return false }
            return JSONObject.sameText(at: text, ChoiceTest.string(of: test))
        case .booleanEqualsLiteral:
            guard case .bool(let flag) = found.pointee else { return false }
            return flag == test.pointee.flag
        case .isNull:
            return found.pointee.isNull == test.pointee.flag
        case .isString:
            return (JSONValue.unsafeString(at: found) != nil) == test.pointee.flag
        case .timestampAgainstLiteral:
            // The string is read where it lies (binding it was a retain and a release of its storage).
            guard let text = JSONValue.unsafeString(at: found), let instant = Self.instant(ofStringAt: text) else { return false }
            return test.pointee.orders(instant, test.pointee.instant)
        case .stringMatches:
            guard let text = JSONValue.unsafeString(at: found) else { return false }
            return StringUTF8.withBytes(ofStringAt: text) { test.pointee.pattern.matches($0) }
        case .jsonataCondition:
            throw .runtime(causePrefix() + "JSONata conditions are not evaluated yet")
        case .general, .isPresent:
            break
        }
        // The operand path is bound only when it must be walked: binding it copied the program's path (a retain
        // of its segments, which every worker shares) on every test.
        guard test.pointee.hasOperandPath else { return Self.compare(found, test, operand: nil) }
        if test.pointee.operandMember.isMember, let operand = Self.member(ChoiceTest.operandMember(of: test), of: data) {
            return Self.compare(found, test, operand: operand)
        }
        let path = ChoiceTest.operandPath(of: test)
        return try withValue(at: path, data: data) { operand throws(ExecutionFailure) in
            guard let operand else {
                throw .runtime(causePrefix() + "Invalid path '\(path.pointee.text)': The choice state's condition path references an invalid value.")
            }
            return Self.compare(found, test, operand: operand)
        }
    }

    /// The number at `value`, or nil when it is not a number (a boolean is not).
    @inline(__always)
    private static func number(at value: UnsafePointer<JSONValue>) -> Double? {
        switch value.pointee {
        case .int(let integer): Double(integer)
        case .double(let number): number
        default: nil
        }
    }

    /// The comparison itself, of `found` (the variable's value) with the literal or the `...Path` operand's value.
    private static func compare(
        _ found: UnsafePointer<JSONValue>, _ test: UnsafeMutablePointer<ChoiceTest>, operand: UnsafePointer<JSONValue>?
    ) -> Bool {
        let relation = test.pointee.relation
        switch test.pointee.family {
        case .typeTest:
            let actual: Bool
            switch test.pointee.comparison {
            case .isNull: actual = found.pointee.isNull
            case .isNumeric: actual = found.pointee.numberValue != nil
            case .isString: actual = found.pointee.stringValue != nil
            case .isBoolean: actual = found.pointee.boolValue != nil
            case .isTimestamp: actual = JSONValue.unsafeString(at: found).flatMap(Self.instant(ofStringAt:)) != nil
            default: actual = true
            }
            return actual == test.pointee.flag
        case .string:
            // Strings are read where they lie, their bytes too (``StringUTF8``): passing one to a call copied it,
            // a retain and a release of a large string's storage.
            guard let text = JSONValue.unsafeString(at: found) else { return false }
            if let operand {
                guard let other = JSONValue.unsafeString(at: operand) else { return false }
                return relation.holds(Self.compareScalars(text, other))
            }
            return relation.holds(Self.compareScalars(text, ChoiceTest.string(of: test)))
        case .stringMatch:
            guard let text = JSONValue.unsafeString(at: found) else { return false }
            return StringUTF8.withBytes(ofStringAt: text) { test.pointee.pattern.matches($0) }
        case .numeric:
            guard found.pointee.boolValue == nil, let number = found.pointee.numberValue else { return false }
            var other = test.pointee.number
            if let operand {
                guard operand.pointee.boolValue == nil, let literal = operand.pointee.numberValue else { return false }
                other = literal
            }
            return relation.holds(number < other ? -1 : (number > other ? 1 : 0))
        case .boolean:
            guard case .bool(let flag) = found.pointee else { return false }
            if let operand {
                guard case .bool(let other) = operand.pointee else { return false }
                return flag == other
            }
            return flag == test.pointee.flag
        case .timestamp:
            // The strings are read where they lie (binding one was a retain and a release of its storage).
            guard let text = JSONValue.unsafeString(at: found), let instant = Self.instant(ofStringAt: text) else { return false }
            var other = test.pointee.instant
            if let operand {
                guard let literal = JSONValue.unsafeString(at: operand), let parsed = Self.instant(ofStringAt: literal)
                else { return false }
                other = parsed
            }
            return relation.holds(instant < other ? -1 : (instant == other ? 0 : 1))
        }
    }

    /// The member of `data` that `test` names, in place (valid while `data` lives), found from where it was found
    /// last and the hint moved when it was elsewhere (a relaxed store only then, so workers evaluating one shape
    /// write nothing).
    static func member(_ test: UnsafePointer<MemberTest>, of data: UnsafePointer<JSONValue>) -> UnsafePointer<JSONValue>? {
        let hint = MemberTest.hint(of: test)
        let last = hint.load(ordering: .relaxed)
        guard let (value, position) = JSONValue.unsafeMember(of: data, keyAt: MemberTest.key(of: test), hint: last) else { return nil }
        if position != last { hint.store(position, ordering: .relaxed) }
        return value
    }

    /// The instant the string at `text` spells, read in place, or nil.
    private static func instant(ofStringAt text: UnsafePointer<String>) -> (seconds: Int64, nanoseconds: Int32)? {
        StringUTF8.withBytes(ofStringAt: text, Timestamp.instant(utf8:))
    }

    /// Code point by code point, as the specification asks: no normalisation, no case folding. UTF-8 orders
    /// byte strings as their code points, so the bytes are compared (`memcmp` compares unsigned bytes), where the
    /// strings keep them (the views' iterators took 170 instructions for a four-letter word).
    private static func compareScalars(_ a: UnsafePointer<String>, _ b: UnsafePointer<String>) -> Int {
        StringUTF8.withBytes(ofStringAt: a) { left in
            StringUTF8.withBytes(ofStringAt: b) { right -> Int in
                let common = min(left.count, right.count)
                if common > 0, let leftStart = left.baseAddress, let rightStart = right.baseAddress {
                    let order = memcmp(leftStart, rightStart, common)
                    if order != 0 { return order < 0 ? -1 : 1 }
                }
                return left.count == right.count ? 0 : (left.count < right.count ? -1 : 1)
            }
        }
    }
}
