import QuickstepJSON
import QuickstepLanguage

/// Evaluates paths (with their roots resolved), payload templates and intrinsic calls for an execution.
///
/// The compiled forms are read in place, through pointers into the program's memory (``Program/templates``,
/// ``Program/paths``): a template, path or call passed by value is copied out of the memory it lies in, a retain
/// and a release of each of its parts (a Parameters object's member list, every member's key and template, a path's
/// text and segments), on every evaluation. The value-taking entry points wrap the pointer ones for callers that
/// hold a template of their own.
extension Execution {
    /// The value at `path`: `$` paths on `data`, `$$` on the context object, `$name` on a variable.
    func lookup(_ path: JSONPath, data: JSONValue) throws(ExecutionFailure) -> PathEvaluator.Lookup {
        try withUnsafePointer(to: path) { path throws(ExecutionFailure) in try lookup(path, data: data) }
    }

    /// ``lookup(_:data:)`` for the path at `path`, read in place.
    func lookup(_ path: UnsafePointer<JSONPath>, data: JSONValue) throws(ExecutionFailure) -> PathEvaluator.Lookup {
        switch path.pointee.root {
        case .input: return PathEvaluator.lookup(path, in: data)
        case .context: return PathEvaluator.lookup(path, in: contextValue())
        case .variable(let name):
            guard let value = variables?.value(of: name) else {
                throw .runtime(causePrefix() + "The variable '$\(name)' referenced by '\(path.pointee.text)' has not been assigned")
            }
            return PathEvaluator.lookup(path, in: value)
        }
    }

    /// The value at `path`, or a `States.Runtime` failure worded as AWS words a missing `field.$` value.
    func value(at path: JSONPath, data: JSONValue, field: String) throws(ExecutionFailure) -> JSONValue {
        try withUnsafePointer(to: path) { path throws(ExecutionFailure) in
            try withUnsafePointer(to: field) { field throws(ExecutionFailure) in
                try value(at: path, data: data, field: TemplateField(field))
            }
        }
    }

    private func value(at path: UnsafePointer<JSONPath>, data: JSONValue, field: TemplateField) throws(ExecutionFailure) -> JSONValue {
        switch try lookup(path, data: data) {
        case .found(let value): return value
        case .missing:
            let input = path.pointee.root == .context ? contextValue() : data
            throw .runtime(causePrefix()
                + "The JSONPath '\(path.pointee.text)' specified for the field '\(field.text)' could not be found in the input '\(input.compactText)'")
        }
    }

    /// Evaluates a payload template on `data`.
    func evaluate(_ template: PayloadTemplate, data: JSONValue, field: String) throws(ExecutionFailure) -> JSONValue {
        try withUnsafePointer(to: template) { template throws(ExecutionFailure) in
            try withUnsafePointer(to: field) { field throws(ExecutionFailure) in
                try evaluate(template, data: data, field: TemplateField(field))
            }
        }
    }

    /// Evaluates the compiled template at `compiled` (in the program's memory) on `data`, read in place.
    func evaluate(_ compiled: UnsafePointer<CompiledTemplate>, data: JSONValue) throws(ExecutionFailure) -> JSONValue {
        try evaluate(CompiledTemplate.template(of: compiled), data: data, field: TemplateField(CompiledTemplate.field(of: compiled)))
    }

    /// Evaluates the template at `template`. An object's or array's parts are read where they lie in its list
    /// (binding the list is one retain; copying each member out was a retain and a release of its key and of its
    /// template). A case's payload is bound, never read through a pointer into the enum: `PayloadTemplate` keeps its
    /// case in spare bits of its payloads, so a payload read in place would include them.
    private func evaluate(_ template: UnsafePointer<PayloadTemplate>, data: JSONValue, field: TemplateField) throws(ExecutionFailure) -> JSONValue {
        switch template.pointee {
        case .constant(let value):
            return value
        case .object(let members):
            var object = JSONObject(minimumCapacity: members.count)
            try members.withUnsafeBufferPointer { members throws(ExecutionFailure) in
                for position in members.indices {
                    let member = UnsafeRawPointer(members.baseAddress! + position)
                    let key = member.assumingMemoryBound(to: String.self)
                    let value = member.advanced(by: Self.templateMemberValueOffset).assumingMemoryBound(to: PayloadTemplate.self)
                    let slotField = value.pointee.isDynamicSlot ? TemplateField(slot: key) : field
                    // The loader rejects a template whose keys repeat once `.$` is removed: each key is new.
                    object.appendValue(try evaluate(value, data: data, field: slotField), forNewKey: key.pointee)
                }
            }
            return .object(object)
        case .array(let elements):
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            try elements.withUnsafeBufferPointer { elements throws(ExecutionFailure) in
                for position in elements.indices {
                    values.append(try evaluate(elements.baseAddress! + position, data: data, field: field))
                }
            }
            return .array(values)
        case .path(let path):
            return try withUnsafePointer(to: path) { path throws(ExecutionFailure) in try value(at: path, data: data, field: field) }
        case .intrinsic(let call):
            return try withUnsafePointer(to: call) { call throws(ExecutionFailure) in try evaluate(call, data: data, field: field) }
        }
    }

    func evaluate(_ call: IntrinsicCall, data: JSONValue, field: String) throws(ExecutionFailure) -> JSONValue {
        try withUnsafePointer(to: call) { call throws(ExecutionFailure) in
            try withUnsafePointer(to: field) { field throws(ExecutionFailure) in
                try evaluate(call, data: data, field: TemplateField(field))
            }
        }
    }

    /// Evaluates the call's arguments into memory on the stack (an array for them was an allocation per call) and
    /// applies the function.
    private func evaluate(_ call: UnsafePointer<IntrinsicCall>, data: JSONValue, field: TemplateField) throws(ExecutionFailure) -> JSONValue {
        let count = call.pointee.arguments.count
        let first = call.pointee.arguments._baseAddressIfContiguous
        return try withUnsafeTemporaryAllocation(of: JSONValue.self, capacity: max(count, 1)) { arguments throws(ExecutionFailure) in
            var evaluated = 0
            defer { arguments.baseAddress!.deinitialize(count: evaluated) }
            for position in 0..<count {
                // Payloads bound, not read in place: `IntrinsicArgument` keeps its case in its payloads' spare bits.
                let value: JSONValue
                switch (first! + position).pointee {
                case .literal(let literal): value = literal
                case .path(let path):
                    value = try withUnsafePointer(to: path) { path throws(ExecutionFailure) in
                        try self.value(at: path, data: data, field: field)
                    }
                case .call(let inner):
                    value = try withUnsafePointer(to: inner) { inner throws(ExecutionFailure) in
                        try evaluate(inner, data: data, field: field)
                    }
                }
                (arguments.baseAddress! + position).initialize(to: value)
                evaluated += 1
            }
            do throws(ExecutionFailure) {
                return try Intrinsics.apply(call, UnsafeBufferPointer(rebasing: arguments[..<count]))
            } catch {
                throw ExecutionFailure(error: error.error, cause: causePrefix() + (error.cause ?? ""))
            }
        }
    }

    /// Where a template object member's template starts: after the key, as a tuple lays its elements out. The check
    /// is on layout constants, so the optimizer folds it away.
    private static var templateMemberValueOffset: Int {
        let offset = MemoryLayout<String>.stride
        precondition(offset % MemoryLayout<PayloadTemplate>.alignment == 0
            && MemoryLayout<(key: String, value: PayloadTemplate)>.size == offset + MemoryLayout<PayloadTemplate>.size)
        return offset
    }
}

extension CompiledTemplate {
    /// The template of the compiled template at `compiled`, in place.
    static func template(of compiled: UnsafePointer<CompiledTemplate>) -> UnsafePointer<PayloadTemplate> {
        UnsafeRawPointer(compiled).advanced(by: MemoryLayout<CompiledTemplate>.offset(of: \.template)!)
            .assumingMemoryBound(to: PayloadTemplate.self)
    }

    /// The field name of the compiled template at `compiled`, in place.
    static func field(of compiled: UnsafePointer<CompiledTemplate>) -> UnsafePointer<String> {
        UnsafeRawPointer(compiled).advanced(by: MemoryLayout<CompiledTemplate>.offset(of: \.field)!)
            .assumingMemoryBound(to: String.self)
    }
}

/// The field an error cause names for a value in a template: the template's own (`Parameters`), or the `key.$`
/// member a dynamic slot came from. Spelled only when a cause needs it (the `.$` was appended to every slot's key on
/// every evaluation), and the name is read where it lies (copying it was a retain and a release per member).
private struct TemplateField {
    let name: UnsafePointer<String>
    let isSlot: Bool

    init(_ name: UnsafePointer<String>) {
        self.name = name
        isSlot = false
    }

    init(slot key: UnsafePointer<String>) {
        name = key
        isSlot = true
    }

    var text: String { isSlot ? name.pointee + ".$" : name.pointee }
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
