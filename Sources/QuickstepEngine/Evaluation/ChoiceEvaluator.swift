import QuickstepJSON
import QuickstepLanguage

extension Execution {
    /// Whether `rule` holds for the effective input `data`.
    func holds(_ rule: ChoiceRule, data: JSONValue) throws(ExecutionFailure) -> Bool {
        switch rule {
        case .and(let rules):
            for inner in rules where !(try holds(inner, data: data)) { return false }
            return true
        case .or(let rules):
            for inner in rules where try holds(inner, data: data) { return true }
            return false
        case .not(let inner):
            return !(try holds(inner, data: data))
        case .condition(let condition):
            if case .constant(let flag) = condition { return flag }
            throw .runtime(causePrefix() + "JSONata conditions are not evaluated yet")
        case .test(let variable, let comparison, let operand):
            let found: JSONValue?
            switch try lookup(variable, data: data) {
            case .found(let value): found = value
            case .missing: found = nil
            }
            if comparison == .isPresent, case .boolean(let expected) = operand { return (found != nil) == expected }
            guard let value = found else {
                throw .runtime(causePrefix() + "Invalid path '\(variable.text)': The choice state's condition path references an invalid value.")
            }
            return try test(value, comparison, operand, data: data)
        }
    }

    private func test(_ value: JSONValue, _ comparison: ChoiceOperator, _ operand: ChoiceOperand, data: JSONValue) throws(ExecutionFailure) -> Bool {
        var operandValue: JSONValue?
        if case .path(let path) = operand {
            switch try lookup(path, data: data) {
            case .found(let found): operandValue = found
            case .missing:
                throw .runtime(causePrefix() + "Invalid path '\(path.text)': The choice state's condition path references an invalid value.")
            }
        }
        switch comparison.family {
        case .typeTest:
            guard case .boolean(let expected) = operand else { return false }
            let actual: Bool
            switch comparison {
            case .isNull: actual = value.isNull
            case .isNumeric: actual = value.numberValue != nil
            case .isString: actual = value.stringValue != nil
            case .isBoolean: actual = value.boolValue != nil
            case .isTimestamp: actual = value.stringValue.flatMap(Timestamp.init) != nil
            default: actual = true
            }
            return actual == expected
        case .string:
            guard case .string(let text) = value else { return false }
            let other: String
            if let operandValue { guard case .string(let found) = operandValue else { return false }; other = found }
            else if case .string(let literal) = operand { other = literal } else { return false }
            return Self.order(comparison, Self.compareScalars(text, other))
        case .stringMatch:
            guard case .string(let text) = value, case .pattern(let pieces) = operand else { return false }
            return Self.matches(text, pieces)
        case .numeric:
            guard value.boolValue == nil, let number = value.numberValue else { return false }
            let other: Double
            if let operandValue {
                guard operandValue.boolValue == nil, let found = operandValue.numberValue else { return false }
                other = found
            } else if case .number(let literal) = operand { other = literal } else { return false }
            return Self.order(comparison, number < other ? -1 : (number > other ? 1 : 0))
        case .boolean:
            guard case .bool(let flag) = value else { return false }
            if let operandValue { guard case .bool(let found) = operandValue else { return false }; return flag == found }
            if case .boolean(let literal) = operand { return flag == literal }
            return false
        case .timestamp:
            guard case .string(let text) = value, let timestamp = Timestamp(text) else { return false }
            let other: Timestamp
            if let operandValue {
                guard case .string(let found) = operandValue, let parsed = Timestamp(found) else { return false }
                other = parsed
            } else if case .timestamp(let literal) = operand { other = literal } else { return false }
            return Self.order(comparison, timestamp < other ? -1 : (timestamp == other ? 0 : 1))
        }
    }

    /// Maps a three-way comparison onto the operator's relation.
    @inline(__always)
    private static func order(_ comparison: ChoiceOperator, _ order: Int) -> Bool {
        comparison.relation.holds(order)
    }

    /// Code point by code point, as the specification asks: no normalisation, no case folding. UTF-8 orders
    /// byte strings as their code points, so the bytes are compared.
    private static func compareScalars(_ a: String, _ b: String) -> Int {
        let left = a.utf8
        let right = b.utf8
        var x = left.makeIterator()
        var y = right.makeIterator()
        while true {
            switch (x.next(), y.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let p?, let q?) where p != q: return p < q ? -1 : 1
            default: continue
            }
        }
    }

    /// Glob matching with `*` only: the pieces must appear in order, the first at the start, the last at the end.
    /// On UTF-8 bytes: a valid UTF-8 piece can only be found at a code point boundary of valid UTF-8 text, and
    /// AWS compares code points, not Unicode characters.
    static func matches(_ text: String, _ pieces: [String]) -> Bool {
        guard pieces.count > 1 else { return pieces.first.map { JSONObject.sameKey(text, $0) } ?? false }
        return withBytes(text) { bytes in
            let matchesFirst = withBytes(pieces[0]) { first in
                bytes.count >= first.count && UnsafeBufferPointer(rebasing: bytes[..<first.count]).elementsEqual(first)
            }
            guard matchesFirst else { return false }
            var position = pieces[0].utf8.count
            for piece in pieces.dropFirst().dropLast() where !piece.isEmpty {
                guard let found = withBytes(piece, { find($0, in: bytes, from: position) }) else { return false }
                position = found
            }
            return withBytes(pieces[pieces.count - 1]) { last in
                bytes.count - position >= last.count
                    && UnsafeBufferPointer(rebasing: bytes[(bytes.count - last.count)...]).elementsEqual(last)
            }
        }
    }

    /// Runs `body` on the UTF-8 bytes of `text` without copying them when they are contiguous (always, for the
    /// native strings the parser makes).
    private static func withBytes<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }

    /// The position just past the first occurrence of `needle` in `bytes` at or after `start`.
    private static func find(_ needle: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard needle.count <= bytes.count - start else { return nil }
        for offset in start...(bytes.count - needle.count)
        where UnsafeBufferPointer(rebasing: bytes[offset..<(offset + needle.count)]).elementsEqual(needle) {
            return offset + needle.count
        }
        return nil
    }
}
