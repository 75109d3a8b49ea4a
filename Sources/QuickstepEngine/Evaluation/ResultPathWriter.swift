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
    static func store(_ result: JSONValue, at path: UnsafePointer<JSONPath>, in raw: inout JSONValue) throws(ExecutionFailure) {
        let segments = Segments(start: path.pointee.segments._baseAddressIfContiguous, count: path.pointee.segments.count)
        guard !segments.isEmpty else {
            raw = result
            return
        }
        guard applies(segments[...], to: raw) else { throw mismatch(path, raw) }
        store(result, segments: segments[...], in: &raw)
    }

    /// The failure for a path that does not apply; out of line, so that its texts are not set up wherever
    /// ``store(_:at:in:)`` is inlined.
    @inline(never)
    private static func mismatch(_ path: UnsafePointer<JSONPath>, _ raw: JSONValue) -> ExecutionFailure {
        ExecutionFailure(error: ErrorName.resultPathMatchFailure,
                         cause: "Unable to apply ResultPath '\(path.pointee.text)' to input '\(raw.compactText)'")
    }

    private typealias Segments = UnsafeBufferPointer<JSONPath.Segment>

    /// Whether the path can be written into `value`: members through objects (a missing member becomes an empty
    /// object, so only members may follow it), indexes into arrays long enough.
    private static func applies(_ segments: Slice<Segments>, to value: JSONValue) -> Bool {
        guard let segment = segments.first else { return true }
        let rest = segments.dropFirst()
        switch segment {
        case .member(let name):
            // The last member can always be written into an object; only a path that goes on needs what is there.
            guard case .object = value else { return false }
            guard !rest.isEmpty, case .object(let object) = value else { return true }
            guard let child = object[name] else { return applies(rest, to: .object(JSONObject())) }
            return applies(rest, to: child)
        case .index(let index):
            guard case .array(let elements) = value else { return false }
            let resolved = index < 0 ? elements.count + index : index
            guard elements.indices.contains(resolved) else { return false }
            return applies(rest, to: elements[resolved])
        default:
            return false
        }
    }

    /// Writes along a path ``applies(_:to:)`` accepted. Each container is taken out of its parent before it is
    /// changed, so a container nothing else shares is changed in place.
    private static func store(_ result: JSONValue, segments: Slice<Segments>, in value: inout JSONValue) {
        guard let segment = segments.first else {
            value = result
            return
        }
        let rest = segments.dropFirst()
        switch segment {
        case .member(let name):
            guard case .object(var object) = value else { preconditionFailure("checked by applies(_:to:)") }
            value = .null
            // One search of the object's keys: the member is replaced, edited in place, or appended.
            if rest.isEmpty {
                withUnsafePointer(to: name) { object.setValue(result, forKeyAt: $0) }
            } else if let position = object.position(of: name) {
                object.modifyValue(at: position) { child in store(result, segments: rest, in: &child) }
            } else {
                var child = JSONValue.object(JSONObject())
                store(result, segments: rest, in: &child)
                object.appendValue(child, forNewKey: name)
            }
            value = .object(object)
        case .index(let index):
            guard case .array(var elements) = value else { preconditionFailure("checked by applies(_:to:)") }
            value = .null
            let resolved = index < 0 ? elements.count + index : index
            var child = elements[resolved]
            elements[resolved] = .null
            store(result, segments: rest, in: &child)
            elements[resolved] = child
            value = .array(elements)
        default:
            preconditionFailure("checked by applies(_:to:)")
        }
    }
}
