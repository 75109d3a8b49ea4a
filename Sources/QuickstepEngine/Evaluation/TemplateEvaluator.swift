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

    /// The value a reference path on the effective input names in `data`, found in place and copied alone; nil when
    /// it names nothing or the path is of another kind (the caller then looks it up as ``lookup(_:data:)`` does, which
    /// explains a miss). The common case, `$.name` in a template or an InputPath, went through the general lookup's
    /// outcome, built and taken apart again: 80 of the 150 instructions such a path took.
    @inline(__always)
    func referencedValue(at path: UnsafePointer<JSONPath>, in data: JSONValue) -> JSONValue? {
        guard case .input = path.pointee.root, path.pointee.isReferencePath else { return nil }
        return withUnsafePointer(to: data) { PathEvaluator.node(path, in: $0)?.pointee }
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
        if let found = referencedValue(at: path, in: data) { return found }
        switch try lookup(path, data: data) {
        case .found(let value): return value
        case .missing:
            let input = path.pointee.root == .context ? contextValue() : data
            throw .runtime(causePrefix()
                + "The JSONPath '\(path.pointee.text)' specified for the field '\(field.text)' could not be found in the input '\(input.compactText)'")
        }
    }

    /// Evaluates a payload template on `data`, compiled for this evaluation alone (a program's templates are
    /// compiled once: ``evaluate(_:data:)``).
    func evaluate(_ template: PayloadTemplate, data: JSONValue, field: String) throws(ExecutionFailure) -> JSONValue {
        let code = TemplateCode(template)
        defer { code.deallocate() }
        return try withUnsafePointer(to: field) { field throws(ExecutionFailure) in
            try evaluate(code, data: data, field: TemplateField(field))
        }
    }

    /// Evaluates the compiled template at `compiled` (in the program's memory) on `data`, read in place.
    func evaluate(_ compiled: UnsafePointer<CompiledTemplate>, data: JSONValue) throws(ExecutionFailure) -> JSONValue {
        try evaluate(compiled.pointee.code.unsafelyUnwrapped, data: data, field: TemplateField(CompiledTemplate.field(of: compiled)))
    }

    /// Evaluates the object template at `compiled` on `raw` and stores the object at the one-member ResultPath
    /// `path` in `raw` (a merging Pass's ``MergingPass/Step/objectIntoMember(_:)``), into the object already there
    /// when it can take the members (``ResultPathWriter/storeObject(count:keys:movingValuesFrom:at:in:)``).
    ///
    /// Every value is evaluated before anything is stored: a failure leaves `raw` as it was, and a value that is
    /// the old object, or holds it, shares it, so that it is not reused.
    func evaluateObject(
        _ compiled: UnsafePointer<CompiledTemplate>, storingAt path: UnsafePointer<JSONPath>, in raw: inout JSONValue
    ) throws(ExecutionFailure) {
        guard case .object(let members) = compiled.pointee.code.unsafelyUnwrapped else {
            preconditionFailure("the compiler stores object templates this way")
        }
        let field = TemplateField(CompiledTemplate.field(of: compiled))
        try withUnsafeTemporaryAllocation(of: JSONValue.self, capacity: max(members.count, 1)) { values throws(ExecutionFailure) in
            let values = values.baseAddress.unsafelyUnwrapped
            var evaluated = 0
            do throws(ExecutionFailure) {
                for position in members.indices {
                    let member = members.baseAddress.unsafelyUnwrapped + position
                    let slotField = member.pointee.isDynamicSlot ? TemplateField(slot: TemplateCode.Member.key(of: member)) : field
                    (values + position).initialize(to: try evaluate(member.pointee.code, data: raw, field: slotField))
                    evaluated += 1
                }
            } catch {
                for position in 0..<evaluated { (values + position).deinitialize(count: 1) }
                throw error
            }
            try ResultPathWriter.storeObject(
                count: members.count, keys: { members[$0].key }, movingValuesFrom: values, at: path, in: &raw)
        }
    }

    /// Evaluates `code`. Its parts are read where they lie (binding a case's payload copies a pointer).
    private func evaluate(_ code: TemplateCode, data: JSONValue, field: TemplateField) throws(ExecutionFailure) -> JSONValue {
        switch code {
        case .constant(let value):
            return value.pointee
        case .object(let members):
            var object = JSONObject(minimumCapacity: members.count)
            for position in members.indices {
                let member = members.baseAddress.unsafelyUnwrapped + position
                let key = TemplateCode.Member.key(of: member)
                let slotField = member.pointee.isDynamicSlot ? TemplateField(slot: key) : field
                // The loader rejects a template whose keys repeat once `.$` is removed: each key is new.
                object.appendValue(try evaluate(member.pointee.code, data: data, field: slotField), forNewKey: key.pointee)
            }
            return .object(object)
        case .array(let elements):
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            for element in elements { values.append(try evaluate(element, data: data, field: field)) }
            return .array(values)
        case .path(let path):
            return try value(at: path, data: data, field: field)
        case .member(let member):
            if let found = withUnsafePointer(to: data, { Self.member(TemplateCode.MemberPath.member(of: member), of: $0) }) { return found.pointee }
            // Not there: the general lookup explains the miss.
            return try value(at: TemplateCode.MemberPath.path(of: member), data: data, field: field)
        case .call(let call):
            return try evaluate(call, data: data, field: field)
        }
    }

    /// Evaluates an intrinsic call compiled for this evaluation alone.
    func evaluate(_ call: IntrinsicCall, data: JSONValue, field: String) throws(ExecutionFailure) -> JSONValue {
        let code = TemplateCode(call)
        defer { code.deallocate() }
        return try withUnsafePointer(to: field) { field throws(ExecutionFailure) in
            try evaluate(code, data: data, field: TemplateField(field))
        }
    }

    /// Evaluates the call's arguments into memory on the stack (an array for them was an allocation per call) and
    /// applies the function.
    private func evaluate(_ call: UnsafeMutablePointer<TemplateCode.Call>, data: JSONValue, field: TemplateField) throws(ExecutionFailure) -> JSONValue {
        let arguments = call.pointee.arguments
        return try withUnsafeTemporaryAllocation(of: JSONValue.self, capacity: max(arguments.count, 1)) { values throws(ExecutionFailure) in
            var evaluated = 0
            // One at a time: `deinitialize(count:)` of several went through the runtime's generic array destroy
            // (90 instructions for two arguments).
            defer { for position in 0..<evaluated { (values.baseAddress.unsafelyUnwrapped + position).deinitialize(count: 1) } }
            for position in arguments.indices {
                (values.baseAddress! + position).initialize(to: try evaluate(arguments[position], data: data, field: field))
                evaluated += 1
            }
            do throws(ExecutionFailure) {
                return try Intrinsics.apply(TemplateCode.Call.call(of: call), UnsafeBufferPointer(rebasing: values[..<arguments.count]))
            } catch {
                throw ExecutionFailure(error: error.error, cause: causePrefix() + (error.cause ?? ""))
            }
        }
    }
}

extension TemplateCode.Member {
    /// The key of the member at `member`, where it lies.
    static func key(of member: UnsafePointer<TemplateCode.Member>) -> UnsafePointer<String> {
        UnsafeRawPointer(member).advanced(by: MemoryLayout<TemplateCode.Member>.offset(of: \.key)!).assumingMemoryBound(to: String.self)
    }
}

extension TemplateCode.Call {
    /// The model call of the compiled call at `call` (its function, its `States.Format` template, its text), where
    /// it lies.
    static func call(of call: UnsafePointer<TemplateCode.Call>) -> UnsafePointer<IntrinsicCall> {
        UnsafeRawPointer(call).advanced(by: MemoryLayout<TemplateCode.Call>.offset(of: \.call)!).assumingMemoryBound(to: IntrinsicCall.self)
    }
}

extension CompiledTemplate {
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
