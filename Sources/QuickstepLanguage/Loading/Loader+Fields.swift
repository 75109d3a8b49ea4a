import QuickstepJSON

// Typed field readers: each reports a wrong type or an out-of-range value at the field's location.

extension Loader {
    mutating func requireFields(_ names: [String], in fields: FieldReader) {
        let missing = names.filter { !fields.has($0) }
        guard !missing.isEmpty else { return }
        if missing.count == 1 {
            error("The field '\(missing[0])' is required but was missing", at: fields.location)
        } else {
            error("These fields are required: [\(missing.joined(separator: ", "))]", at: fields.location)
        }
    }

    mutating func reportUnknownFields(_ fields: FieldReader) {
        for key in fields.unread { error("Field '\(key)' is not supported", at: fields.location) }
    }

    mutating func string(_ value: JSONValue?, field: String, at parent: JSONPointer) -> String? {
        guard let value else { return nil }
        guard let text = value.stringValue else {
            error("The field '\(field)' must be a string", at: parent.appending(field))
            return nil
        }
        return text
    }

    mutating func boolean(_ value: JSONValue?, field: String, at parent: JSONPointer) -> Bool? {
        guard let value else { return nil }
        guard let flag = value.boolValue else {
            error("The field '\(field)' must be a boolean", at: parent.appending(field))
            return nil
        }
        return flag
    }

    mutating func integer(_ value: JSONValue?, field: String, at parent: JSONPointer, range: ClosedRange<Int>) -> Int? {
        guard let value else { return nil }
        guard let integer = value.integerValue.flatMap({ Int(exactly: $0) }) else {
            error("The field '\(field)' must be an integer", at: parent.appending(field))
            return nil
        }
        guard range.contains(integer) else {
            error("The value of the field '\(field)' must be between \(range.lowerBound) and \(range.upperBound), "
                  + "but was \(integer)", at: parent.appending(field))
            return nil
        }
        return integer
    }

    mutating func number(_ value: JSONValue?, field: String, at parent: JSONPointer, range: ClosedRange<Double>) -> Double? {
        guard let value else { return nil }
        guard let number = value.numberValue else {
            error("The field '\(field)' must be a number", at: parent.appending(field))
            return nil
        }
        guard range.contains(number) else {
            error("The value of the field '\(field)' must be between \(range.lowerBound) and \(range.upperBound), "
                  + "but was \(value)", at: parent.appending(field))
            return nil
        }
        return number
    }

    mutating func stringArray(_ value: JSONValue?, field: String, at parent: JSONPointer) -> [String]? {
        guard let value else { return nil }
        let location = parent.appending(field)
        guard let elements = value.arrayValue, elements.allSatisfy({ $0.stringValue != nil }) else {
            error("The field '\(field)' must be an array of strings", at: location)
            return nil
        }
        guard !elements.isEmpty else {
            error("Value cannot be empty", at: location)
            return nil
        }
        return elements.compactMap(\.stringValue)
    }

    /// A field that may be JSON `null` or a path: `InputPath`, `OutputPath`, `ResultPath`.
    mutating func optionalPath(_ value: JSONValue?, field: String, at parent: JSONPointer, reference: Bool) -> OptionalPath? {
        guard let value else { return nil }
        if value.isNull { return .null }
        guard let text = value.stringValue else {
            error("The field '\(field)' must be a string or null", at: parent.appending(field))
            return nil
        }
        guard let path = self.path(text, field: field, at: parent.appending(field), reference: reference,
                                   allowContext: !reference, allowVariables: !reference)
        else { return nil }
        return .path(path)
    }

    /// Parses a path, reporting why it is invalid.
    mutating func path(_ text: String, field: String, at location: JSONPointer, reference: Bool,
                       allowContext: Bool = true, allowVariables: Bool = true) -> JSONPath? {
        let kind = reference ? "reference path" : "JSONPath"
        do {
            let path = try JSONPath.parse(text, allowVariables: allowVariables)
            if reference && !path.isReferencePath {
                error("The value for the field '\(field)' must be a valid \(kind): '\(text)' selects more than one node",
                      at: location)
                return nil
            }
            if !allowContext, path.root == .context {
                error("The value for the field '\(field)' must be a valid \(kind): it cannot start with '$$'", at: location)
                return nil
            }
            return path
        } catch {
            self.error("The value for the field '\(field)' must be a valid \(kind): \(error.message) "
                       + "(at character \(error.offset + 1) of '\(text)')", at: location)
            return nil
        }
    }

    /// A value given either as `Field` (a constant, or in JSONata an expression) or as `FieldPath` (a reference
    /// path); never both.
    mutating func dynamicValue<Constant>(
        _ field: String, in fields: inout FieldReader, language: QueryLanguage, pathAllowsIntrinsic: Bool = false,
        constant: (inout Loader, JSONValue, JSONPointer) -> Constant?
    ) -> DynamicValue<Constant>? {
        let location = fields.location
        let pathField = field + "Path"
        let hasPath = language == .jsonPath && fields.has(pathField)
        if fields.has(field) && hasPath {
            error("The fields '\(field)' and '\(pathField)' cannot be used together", at: location)
        }
        if let value = fields.take(field) {
            if language == .jsonata, let text = value.stringValue, let expression = JSONataTemplate.expression(in: text) {
                return .expression(expression)
            }
            return constant(&self, value, location.appending(field)).map { .constant($0) }
        }
        if language == .jsonPath, let value = fields.take(pathField) {
            guard let text = value.stringValue else {
                error("The field '\(pathField)' must be a string", at: location.appending(pathField))
                return nil
            }
            if pathAllowsIntrinsic && IntrinsicCall.looksLikeCall(text) {
                return intrinsic(text, field: pathField, at: location.appending(pathField)).map { .intrinsic($0) }
            }
            return path(text, field: pathField, at: location.appending(pathField), reference: !pathAllowsIntrinsic)
                .map { .path($0) }
        }
        return nil
    }

    mutating func intrinsic(_ text: String, field: String, at location: JSONPointer) -> IntrinsicCall? {
        do {
            return try IntrinsicCall.parse(text)
        } catch {
            self.error("The value for the field '\(field)' must be a valid JSONPath or a valid intrinsic function call: "
                       + error.message, at: location)
            return nil
        }
    }
}
