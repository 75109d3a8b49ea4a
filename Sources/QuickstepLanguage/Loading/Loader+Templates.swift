import QuickstepJSON

extension Loader {
    /// Compiles a JSONPath payload template: `.$` members become paths or intrinsic calls, and every part with
    /// nothing to compute is kept as one ready-made value.
    ///
    /// - Parameter location: where the template field is; AWS reports a bad `.$` member there.
    mutating func payloadTemplate(_ value: JSONValue, field: String, at location: JSONPointer) -> PayloadTemplate? {
        var valid = true
        let template = compileTemplate(value, at: location, valid: &valid)
        return valid ? template : nil
    }

    private mutating func compileTemplate(_ value: JSONValue, at location: JSONPointer, valid: inout Bool) -> PayloadTemplate {
        switch value {
        case .object(let object):
            var members: [(key: String, value: PayloadTemplate)] = []
            var seen = Set<String>()
            var allConstant = true
            for (key, member) in object {
                var finalKey = key
                let compiled: PayloadTemplate
                if key.hasSuffix(".$") {
                    finalKey = String(key.dropLast(2))
                    compiled = dynamicSlot(member, key: key, at: location, valid: &valid)
                } else {
                    compiled = compileTemplate(member, at: location, valid: &valid)
                }
                if !seen.insert(finalKey).inserted {
                    error("The field '\(finalKey)' appears more than once once '.$' is removed", at: location)
                    valid = false
                }
                if !compiled.isConstant { allConstant = false }
                members.append((finalKey, compiled))
            }
            if allConstant {
                return .constant(.object(JSONObject(members.map { member -> JSONObject.Member in
                    guard case .constant(let constant) = member.value else { preconditionFailure() }
                    return (member.key, constant)
                })))
            }
            return .object(members)
        case .array(let elements):
            let compiled = elements.map { compileTemplate($0, at: location, valid: &valid) }
            if compiled.allSatisfy(\.isConstant) { return .constant(value) }
            return .array(compiled)
        default:
            return .constant(value)
        }
    }

    /// The value of a `key.$` member: a path (`$`, `$$`, `$name`) or an intrinsic call.
    private mutating func dynamicSlot(_ value: JSONValue, key: String, at location: JSONPointer, valid: inout Bool) -> PayloadTemplate {
        let message = "The value for the field '\(key)' must be a valid JSONPath or a valid intrinsic function call"
        guard let text = value.stringValue else {
            error(message, at: location)
            valid = false
            return .constant(.null)
        }
        if text.hasPrefix("$") {
            do {
                return .path(try JSONPath.parse(text))
            } catch {
                self.error("\(message): \(error.message) (at character \(error.offset + 1) of '\(text)')", at: location)
            }
        } else {
            do {
                return .intrinsic(try IntrinsicCall.parse(text))
            } catch {
                self.error("\(message): \(error.message)", at: location)
            }
        }
        valid = false
        return .constant(.null)
    }

    /// An `Assign` block: an object whose keys are variable names.
    mutating func assignment(_ value: JSONValue, language: QueryLanguage, at location: JSONPointer) -> Assignment? {
        guard case .object(let object) = value else {
            error("The field 'Assign' must be an object", at: location)
            return nil
        }
        for key in object.keys {
            let name = language == .jsonPath && key.hasSuffix(".$") ? String(key.dropLast(2)) : key
            if let problem = Self.variableNameProblem(name) { error(problem, at: location.appending(key)) }
        }
        switch language {
        case .jsonPath: return payloadTemplate(value, field: "Assign", at: location).map { .jsonPath($0) }
        case .jsonata: return .jsonata(JSONataTemplate(value))
        }
    }

    /// Why `name` cannot be a variable name, or `nil` when it can (Unicode identifier, at most 80 characters,
    /// not the reserved `states`).
    static func variableNameProblem(_ name: String) -> String? {
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first else { return "A variable name cannot be empty" }
        if name == "states" { return "The variable name 'states' is reserved" }
        if name.count > 80 { return "The variable name '\(name)' is longer than 80 characters" }
        guard first == "_" || first.properties.isIDStart,
            scalars.dropFirst().allSatisfy({ $0.properties.isIDContinue || $0 == "$" })
        else { return "The variable name '\(name)' is not a valid identifier" }
        return nil
    }
}
