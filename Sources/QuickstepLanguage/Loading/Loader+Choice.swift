import QuickstepJSON

extension Loader {
    mutating func loadChoice(_ fields: inout FieldReader, language: QueryLanguage, processing: DataProcessing) -> ChoiceState? {
        let location = fields.location
        requireFields(["Choices"], in: fields)
        let defaultState = string(fields.take("Default"), field: "Default", at: location)
        guard let value = fields.take("Choices") else { return nil }
        let choicesLocation = location.appending("Choices")
        guard let elements = value.arrayValue else {
            error("The field 'Choices' must be an array", at: choicesLocation)
            return nil
        }
        guard !elements.isEmpty else {
            error("Value cannot be empty", at: choicesLocation)
            return nil
        }
        var branches: [ChoiceBranch] = []
        for (position, element) in elements.enumerated() {
            if let branch = loadChoiceBranch(element, language: language, at: choicesLocation.appending(position)) {
                branches.append(branch)
            }
        }
        guard branches.count == elements.count else { return nil }
        return ChoiceState(choices: branches, defaultState: defaultState, dataProcessing: processing)
    }

    private mutating func loadChoiceBranch(_ value: JSONValue, language: QueryLanguage, at location: JSONPointer) -> ChoiceBranch? {
        guard var fields = FieldReader(value, at: location, loader: &self, what: "A Choice rule") else { return nil }
        defer { reportUnknownFields(fields) }
        let next = string(fields.take("Next"), field: "Next", at: location)
        if next == nil && !fields.has("Next") { error("The field 'Next' is required but was missing", at: location) }
        _ = fields.take("Comment")
        var assign: Assignment?
        if let value = fields.take("Assign") { assign = assignment(value, language: language, at: location.appending("Assign")) }
        let rule: ChoiceRule?
        var output: JSONataTemplate?
        if language == .jsonata {
            if let value = fields.take("Output") { output = JSONataTemplate(value) }
            rule = loadCondition(&fields)
        } else {
            rule = loadRule(&fields)
        }
        guard let rule, let next else { return nil }
        return ChoiceBranch(rule: rule, next: next, assign: assign, output: output)
    }

    /// JSONata `Condition`: `true`, `false` or `{% expression %}`.
    private mutating func loadCondition(_ fields: inout FieldReader) -> ChoiceRule? {
        guard let value = fields.take("Condition") else {
            error("The field 'Condition' is required but was missing", at: fields.location)
            return nil
        }
        if let flag = value.boolValue { return .condition(.constant(flag)) }
        if let text = value.stringValue, let expression = JSONataTemplate.expression(in: text) {
            return .condition(.expression(expression))
        }
        error("The field 'Condition' must be a boolean or a JSONata expression '{% ... %}'", at: fields.location.appending("Condition"))
        return nil
    }

    /// A JSONPath rule: `And`, `Or`, `Not`, or `Variable` with exactly one comparison operator.
    private mutating func loadRule(_ fields: inout FieldReader) -> ChoiceRule? {
        let location = fields.location
        let operators = ChoiceOperator.allCases.filter { fields.has($0.rawValue) }
        let combinators = ["And", "Or", "Not"].filter { fields.has($0) }
        if combinators.count + (fields.has("Variable") || !operators.isEmpty ? 1 : 0) != 1 {
            error(combinators.isEmpty && operators.isEmpty && !fields.has("Variable")
                  ? "A Choice rule needs 'And', 'Or', 'Not', or 'Variable' with a comparison operator"
                  : "A Choice rule takes exactly one of 'And', 'Or', 'Not', or 'Variable' with a comparison operator",
                  at: location)
            for key in combinators + operators.map(\.rawValue) + ["Variable"] { _ = fields.take(key) }
            return nil
        }
        if let combinator = combinators.first {
            let value = fields.take(combinator)!
            let ruleLocation = location.appending(combinator)
            if combinator == "Not" {
                return nestedRule(value, at: ruleLocation).map { .not($0) }
            }
            guard let elements = value.arrayValue else {
                error("The field '\(combinator)' must be an array of Choice rules", at: ruleLocation)
                return nil
            }
            guard !elements.isEmpty else {
                error("Value cannot be empty", at: ruleLocation)
                return nil
            }
            let rules = elements.enumerated().compactMap { nestedRule($1, at: ruleLocation.appending($0)) }
            guard rules.count == elements.count else { return nil }
            return combinator == "And" ? .and(rules) : .or(rules)
        }
        guard let variableValue = fields.take("Variable") else {
            error("The field 'Variable' is required but was missing", at: location)
            return nil
        }
        guard let variableText = variableValue.stringValue else {
            error("The field 'Variable' must be a string", at: location.appending("Variable"))
            return nil
        }
        let variable = path(variableText, field: "Variable", at: location.appending("Variable"), reference: false)
        guard operators.count == 1, let comparison = operators.first else {
            error(operators.isEmpty
                  ? "A Choice rule with 'Variable' needs a comparison operator"
                  : "A Choice rule takes one comparison operator, not \(operators.map(\.rawValue))", at: location)
            for comparison in operators { _ = fields.take(comparison.rawValue) }
            return nil
        }
        let operandValue = fields.take(comparison.rawValue)!
        guard let operand = choiceOperand(operandValue, for: comparison, at: location.appending(comparison.rawValue)),
            let variable
        else { return nil }
        return .test(variable: variable, operator: comparison, operand: operand)
    }

    private mutating func nestedRule(_ value: JSONValue, at location: JSONPointer) -> ChoiceRule? {
        guard var fields = FieldReader(value, at: location, loader: &self, what: "A Choice rule") else { return nil }
        defer { reportUnknownFields(fields) }
        _ = fields.take("Comment")
        return loadRule(&fields)
    }

    private mutating func choiceOperand(_ value: JSONValue, for comparison: ChoiceOperator, at location: JSONPointer) -> ChoiceOperand? {
        let name = comparison.rawValue
        if comparison.takesPath {
            guard let text = value.stringValue else {
                error("The field '\(name)' must be a string", at: location)
                return nil
            }
            return path(text, field: name, at: location, reference: false).map { .path($0) }
        }
        switch comparison.family {
        case .string:
            if let text = value.stringValue { return .string(text) }
            error("The field '\(name)' must be a string", at: location)
        case .stringMatch:
            guard let text = value.stringValue else {
                error("The field '\(name)' must be a string", at: location)
                return nil
            }
            if let pattern = Self.matchPattern(text) { return .pattern(pattern) }
            error("The field '\(name)' ends with an unfinished escape '\\'", at: location)
        case .numeric:
            if let number = value.numberValue { return .number(number) }
            error("The field '\(name)' must be a number", at: location)
        case .boolean, .typeTest:
            if let flag = value.boolValue { return .boolean(flag) }
            error("The field '\(name)' must be a boolean", at: location)
        case .timestamp:
            if let text = value.stringValue, let timestamp = Timestamp(text) { return .timestamp(timestamp) }
            error("The field '\(name)' must be an RFC3339 timestamp", at: location)
        }
        return nil
    }

    /// Splits a `StringMatches` pattern at its unescaped `*` wildcards (`\*` is a literal star, `\\` a literal
    /// backslash); `nil` when the pattern ends in an unfinished escape.
    static func matchPattern(_ pattern: String) -> [String]? {
        var pieces: [String] = []
        var current = ""
        var escaping = false
        for character in pattern {
            if escaping {
                current.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == "*" {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if escaping { return nil }
        pieces.append(current)
        return pieces
    }
}
