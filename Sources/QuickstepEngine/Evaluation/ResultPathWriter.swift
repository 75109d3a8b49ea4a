import QuickstepJSON
import QuickstepLanguage

/// Applies a `ResultPath`: puts a result into the state's raw input at a reference path, creating the objects on
/// the way and replacing what was there.
enum ResultPathWriter {
    /// `raw` with `result` stored at `path`.
    ///
    /// - Throws: `States.ResultPathMatchFailure` when the path runs through something that is not an object
    ///   (or, for an index, not an array long enough).
    static func write(_ result: JSONValue, at path: JSONPath, into raw: JSONValue) throws(ExecutionFailure) -> JSONValue {
        guard !path.segments.isEmpty else { return result }
        return try write(result, segments: path.segments[...], into: raw, path: path, whole: raw)
    }

    private static func write(
        _ result: JSONValue, segments: ArraySlice<JSONPath.Segment>, into value: JSONValue, path: JSONPath, whole: JSONValue
    ) throws(ExecutionFailure) -> JSONValue {
        guard let segment = segments.first else { return result }
        let rest = segments.dropFirst()
        switch segment {
        case .member(let name):
            guard case .object(var object) = value else { throw mismatch(path, whole) }
            let child = object[name] ?? .object(JSONObject())
            // Release the object's reference to the child first, so the child can be edited in place.
            object[name] = .null
            object[name] = try write(result, segments: rest, into: child, path: path, whole: whole)
            return .object(object)
        case .index(let index):
            guard case .array(var elements) = value else { throw mismatch(path, whole) }
            let resolved = index < 0 ? elements.count + index : index
            guard elements.indices.contains(resolved) else { throw mismatch(path, whole) }
            let child = elements[resolved]
            elements[resolved] = .null
            elements[resolved] = try write(result, segments: rest, into: child, path: path, whole: whole)
            return .array(elements)
        default:
            throw mismatch(path, whole)
        }
    }

    private static func mismatch(_ path: JSONPath, _ input: JSONValue) -> ExecutionFailure {
        ExecutionFailure(error: ErrorName.resultPathMatchFailure,
                         cause: "Unable to apply ResultPath '\(path.text)' to input '\(input.compactText)'")
    }
}
