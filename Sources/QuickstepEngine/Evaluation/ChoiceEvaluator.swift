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
    private static func order(_ comparison: ChoiceOperator, _ order: Int) -> Bool {
        let name = comparison.rawValue.hasSuffix("Path") ? String(comparison.rawValue.dropLast(4)) : comparison.rawValue
        if name.hasSuffix("GreaterThanEquals") { return order >= 0 }
        if name.hasSuffix("LessThanEquals") { return order <= 0 }
        if name.hasSuffix("GreaterThan") { return order > 0 }
        if name.hasSuffix("LessThan") { return order < 0 }
        return order == 0
    }

    /// Code point by code point, as the specification asks: no normalisation, no case folding.
    private static func compareScalars(_ a: String, _ b: String) -> Int {
        var left = a.unicodeScalars.makeIterator()
        var right = b.unicodeScalars.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?) where x != y: return x.value < y.value ? -1 : 1
            default: continue
            }
        }
    }

    /// Glob matching with `*` only: the pieces must appear in order, the first at the start, the last at the end.
    static func matches(_ text: String, _ pieces: [String]) -> Bool {
        guard pieces.count > 1 else { return text == pieces.first }
        var rest = Substring(text)
        guard rest.hasPrefix(pieces[0]) else { return false }
        rest = rest.dropFirst(pieces[0].count)
        for piece in pieces.dropFirst().dropLast() where !piece.isEmpty {
            guard let range = rest.range(of: piece) else { return false }
            rest = rest[range.upperBound...]
        }
        let last = pieces[pieces.count - 1]
        return rest.count >= last.count && rest.hasSuffix(last)
    }
}
