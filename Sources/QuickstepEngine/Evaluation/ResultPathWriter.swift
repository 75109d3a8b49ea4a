import QuickstepJSON
import QuickstepLanguage

/// Applies a `ResultPath`: puts a result into the state's raw input at a reference path, creating the objects on
/// the way and replacing what was there.
///
/// The raw input is edited in place when nothing else holds it (``VM`` hands it over when nothing after the
/// ResultPath can fail and need it again); otherwise the containers on the path are copied, as value semantics
/// require. The path is checked against the input before anything changes, so a mismatch leaves it untouched.
enum ResultPathWriter {
    /// Stores `result` at `path` in `raw`.
    ///
    /// - Throws: `States.ResultPathMatchFailure` when the path runs through something that is not an object
    ///   (or, for an index, not an array long enough); `raw` is then unchanged.
    ///
    /// The path is read where it lies (in the program's memory), its segments walked as a buffer: copying the path
    /// out, or taking slices of its segments array, was a retain and a release of its parts per state.
    ///
    /// The result is taken over (a copy stored was a retain of its container, and the caller's release of its own
    /// a release: a pair of atomic writes per ResultPath); a mismatch drops it.
    static func store(_ result: consuming JSONValue, at path: UnsafePointer<JSONPath>, in raw: inout JSONValue) throws(ExecutionFailure) {
        precondition(path.pointee.isReferencePath, "a ResultPath is a reference path")
        let steps = Steps(start: path.pointee.steps._baseAddressIfContiguous, count: path.pointee.steps.count)
        guard !steps.isEmpty else {
            raw = consume result
            return
        }
        // The commonest ResultPath, `$.name` into an object: the member set where it was found last.
        if steps.count == 1, case .object = raw, let step = steps.baseAddress, step.pointee.isMember {
            storeMember(consume result, at: step, in: &raw)
            return
        }
        guard withUnsafePointer(to: &raw, { applies(steps, to: $0) }) else { throw mismatch(path, raw) }
        store(consume result, steps: steps, from: 0, in: &raw)
    }

    /// Stores `result` as the member that the one step at `step` names in the object `raw`, looking for it first
    /// where this step found it last (``MemberHints``): the search from the last member, and the general walk's
    /// check and descent, were half of a ResultPath's instructions.
    private static func storeMember(_ result: consuming JSONValue, at step: UnsafePointer<JSONPath.Step>, in raw: inout JSONValue) {
        guard case .object(var object) = raw else { preconditionFailure("checked by the caller") }
        raw = .null  // the object alone holds its members, so they are changed in place
        let hint = MemberHints.slot(for: step, in: MemberHints.table)
        let last = hint.load(ordering: .relaxed)
        let position = object.setValue(consume result, forKeyAt: JSONPath.Step.name(of: step), hint: last)
        raw = .object(object)
        if position != last { hint.store(position, ordering: .relaxed) }
    }

    /// Stores an object of the `count` members with keys `keys(0)`, `keys(1)`, ... and values moved from `values` at
    /// the one-member ResultPath `path` in `raw`: in place when `raw` is an object of its own
    /// (``JSONValue/storeObject(asMemberAt:hint:in:count:keys:movingValuesFrom:)``, which reuses the object already
    /// there when it can), through ``store(_:at:in:)`` otherwise. Every value is moved out of `values` either way;
    /// a path that does not apply throws and leaves `raw` as it was. Out of line: inlined into its caller, which
    /// has just read `raw` to evaluate the values, it made that caller copy `raw` first (a retain and a release).
    @inline(never)
    static func storeObject(
        count: Int, keys: (Int) -> String, movingValuesFrom values: UnsafeMutablePointer<JSONValue>,
        at path: UnsafePointer<JSONPath>, in raw: inout JSONValue
    ) throws(ExecutionFailure) {
        let step = path.pointee.steps._baseAddressIfContiguous.unsafelyUnwrapped
        let hint = MemberHints.slot(for: step, in: MemberHints.table)
        let last = hint.load(ordering: .relaxed)
        let stored = withUnsafeMutablePointer(to: &raw) { raw in
            JSONValue.storeObject(asMemberAt: JSONPath.Step.name(of: step), hint: last, in: raw,
                                  count: count, keys: keys, movingValuesFrom: values)
        }
        if let stored {
            if stored != last { hint.store(stored, ordering: .relaxed) }
            return
        }
        try store(.object(JSONObject(count: count, keys: keys, movingValuesFrom: values)), at: path, in: &raw)
    }

    /// The failure for a path that does not apply; out of line, so that its texts are not set up wherever
    /// ``store(_:at:in:)`` is inlined.
    @inline(never)
    private static func mismatch(_ path: UnsafePointer<JSONPath>, _ raw: JSONValue) -> ExecutionFailure {
        ExecutionFailure(error: ErrorName.resultPathMatchFailure,
                         cause: "Unable to apply ResultPath '\(path.pointee.text)' to input '\(raw.compactText)'")
    }

    /// The path's steps, read where they lie: a step's name is read in place (``JSONPath/Step/name(of:)``).
    private typealias Steps = UnsafeBufferPointer<JSONPath.Step>

    /// Whether the path can be written into the value at `value`, read in place: members through objects (a
    /// missing member becomes an empty object, so only members may follow it), indexes into arrays long enough.
    private static func applies(_ steps: Steps, to value: UnsafePointer<JSONValue>) -> Bool {
        var current = value
        for position in steps.indices {
            let step = steps.baseAddress.unsafelyUnwrapped + position
            if step.pointee.isMember {
                // The last member can always be written into an object; only a path that goes on needs what is there.
                guard case .object = current.pointee else { return false }
                guard position < steps.count - 1 else { return true }
                guard let (child, _) = JSONValue.unsafeMember(of: current, keyAt: JSONPath.Step.name(of: step), hint: 0) else {
                    return steps[(position + 1)...].allSatisfy(\.isMember)
                }
                current = child
            } else {
                guard let element = PathEvaluator.element(step.pointee.index, of: current) else { return false }
                current = element
            }
        }
        return true
    }

    /// Writes the steps from `position` on along a path ``applies(_:to:)`` accepted. Each container is taken out
    /// of its parent before it is changed, so a container nothing else shares is changed in place.
    private static func store(_ result: consuming JSONValue, steps: Steps, from position: Int, in value: inout JSONValue) {
        guard position < steps.count else {
            value = consume result
            return
        }
        let step = steps.baseAddress.unsafelyUnwrapped + position
        if step.pointee.isMember {
            guard case .object(var object) = value else { preconditionFailure("checked by applies(_:to:)") }
            value = .null
            let name = JSONPath.Step.name(of: step)
            // One search of the object's keys: the member is replaced, edited in place, or appended.
            if position == steps.count - 1 {
                object.setValue(consume result, forKeyAt: name)
            } else if let found = object.position(ofKeyAt: name) {
                // The closure cannot consume a parameter: the result goes in through an optional, taken out there.
                var handedOn = Optional(consume result)
                object.modifyValue(at: found) { child in
                    store(handedOn.take().unsafelyUnwrapped, steps: steps, from: position + 1, in: &child)
                }
            } else {
                var child = JSONValue.object(JSONObject(minimumCapacity: 1))
                store(consume result, steps: steps, from: position + 1, in: &child)
                object.appendValue(child, forNewKey: name.pointee)
            }
            value = .object(object)
        } else {
            guard case .array(var elements) = value else { preconditionFailure("checked by applies(_:to:)") }
            value = .null
            let index = step.pointee.index
            let resolved = index < 0 ? elements.count + index : index
            var child = elements[resolved]
            elements[resolved] = .null
            store(consume result, steps: steps, from: position + 1, in: &child)
            elements[resolved] = child
            value = .array(elements)
        }
    }
}
