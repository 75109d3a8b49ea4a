import QuickstepJSON
import QuickstepLanguage

/// Evaluates paths (with their roots resolved), payload templates and intrinsic calls for an execution.
extension Execution {
    /// The value at `path`: `$` paths on `data`, `$$` on the context object, `$name` on a variable.
    func lookup(_ path: JSONPath, data: JSONValue) throws(ExecutionFailure) -> PathEvaluator.Lookup {
        switch path.root {
        case .input: return PathEvaluator.lookup(path, in: data)
        case .context: return PathEvaluator.lookup(path, in: contextValue())
        case .variable(let name):
            guard let value = variables?.value(of: name) else {
                throw .runtime(causePrefix() + "The variable '$\(name)' referenced by '\(path.text)' has not been assigned")
            }
            return PathEvaluator.lookup(path, in: value)
        }
    }

    /// The value at `path`, or a `States.Runtime` failure worded as AWS words a missing `field.$` value.
    func value(at path: JSONPath, data: JSONValue, field: String) throws(ExecutionFailure) -> JSONValue {
        try value(at: path, data: data, field: TemplateField(field))
    }

    private func value(at path: JSONPath, data: JSONValue, field: TemplateField) throws(ExecutionFailure) -> JSONValue {
        switch try lookup(path, data: data) {
        case .found(let value): return value
        case .missing:
            let input = path.root == .context ? contextValue() : data
            throw .runtime(causePrefix()
                + "The JSONPath '\(path.text)' specified for the field '\(field.text)' could not be found in the input '\(input.compactText)'")
        }
    }

    /// Evaluates a payload template on `data`.
    func evaluate(_ template: PayloadTemplate, data: JSONValue, field: String) throws(ExecutionFailure) -> JSONValue {
        try evaluate(template, data: data, field: TemplateField(field))
    }

    private func evaluate(_ template: PayloadTemplate, data: JSONValue, field: TemplateField) throws(ExecutionFailure) -> JSONValue {
        switch template {
        case .constant(let value):
            return value
        case .object(let members):
            var object = JSONObject(minimumCapacity: members.count)
            for member in members {
                let slotField = member.value.isDynamicSlot ? TemplateField(slot: member.key) : field
                object[member.key] = try evaluate(member.value, data: data, field: slotField)
            }
            return .object(object)
        case .array(let elements):
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            for element in elements { values.append(try evaluate(element, data: data, field: field)) }
            return .array(values)
        case .path(let path):
            return try value(at: path, data: data, field: field)
        case .intrinsic(let call):
            return try evaluate(call, data: data, field: field)
        }
    }

    func evaluate(_ call: IntrinsicCall, data: JSONValue, field: String) throws(ExecutionFailure) -> JSONValue {
        try evaluate(call, data: data, field: TemplateField(field))
    }

    private func evaluate(_ call: IntrinsicCall, data: JSONValue, field: TemplateField) throws(ExecutionFailure) -> JSONValue {
        var arguments: [JSONValue] = []
        arguments.reserveCapacity(call.arguments.count)
        for argument in call.arguments {
            switch argument {
            case .literal(let value): arguments.append(value)
            case .path(let path): arguments.append(try value(at: path, data: data, field: field))
            case .call(let inner): arguments.append(try evaluate(inner, data: data, field: field))
            }
        }
        do {
            return try Intrinsics.apply(call, arguments)
        } catch {
            throw ExecutionFailure(error: error.error, cause: causePrefix() + (error.cause ?? ""))
        }
    }
}

/// The field an error cause names for a value in a template: the template's own (`Parameters`), or the `key.$`
/// member a dynamic slot came from. Spelled only when a cause needs it: the `.$` was appended to every slot's key on
/// every evaluation.
private struct TemplateField {
    let name: String
    let isSlot: Bool

    init(_ name: String) {
        self.name = name
        isSlot = false
    }

    init(slot key: String) {
        name = key
        isSlot = true
    }

    var text: String { isSlot ? name + ".$" : name }
}

extension PayloadTemplate {
    /// Whether this is the value of a `key.$` member (a path or a call), as opposed to a nested literal part.
    var isDynamicSlot: Bool {
        switch self {
        case .path, .intrinsic: true
        default: false
        }
    }
}
