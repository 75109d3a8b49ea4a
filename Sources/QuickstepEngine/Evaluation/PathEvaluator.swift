import Atomics
import QuickstepJSON
import QuickstepLanguage

/// Evaluates parsed JSONPaths on JSON values, as Jayway JsonPath (which AWS uses) does.
///
/// A reference path (names and single indexes) yields one node or none; any other path yields the array of every
/// match, possibly empty.
enum PathEvaluator {
    /// The outcome of looking a path up.
    enum Lookup {
        case found(JSONValue)
        /// Nothing there; ``Miss/explanation`` is Jayway's.
        case missing(Miss)
    }

    /// Where a definite path found nothing. The explanation is spelled only when asked for: Choice rules
    /// (`IsPresent`) and optional fields look up absent paths on every execution (spelling it eagerly was 4 % of
    /// choice_heavy's time).
    struct Miss {
        let segments: [JSONPath.Segment]
        /// The segment that found nothing.
        let position: Int
        /// Whether the miss is "No results" (the last segment, or an index out of range) rather than "Missing
        /// property" (a member on the way).
        let noResults: Bool

        /// Jayway's words: `No results for path: $['a']`, `Missing property in path $['a']`.
        var explanation: String {
            let normalized = PathEvaluator.normalizedText(segments[...position])
            return noResults ? "No results for path: \(normalized)" : "Missing property in path \(normalized)"
        }
    }

    /// A definite path in Jayway's normalized form: `$['a'][0]`.
    static func normalizedText(_ segments: ArraySlice<JSONPath.Segment>) -> String {
        var text = "$"
        for segment in segments {
            switch segment {
            case .member(let name): text += "['\(name)']"
            case .index(let index): text += "[\(index)]"
            default: break
            }
        }
        return text
    }

    /// The array of every match of `segments` (a path that is not a reference path) from `root`.
    static func lookupAll(_ segments: [JSONPath.Segment], in root: JSONValue) -> Lookup {
        var matches = [root]
        for segment in segments {
            var next: [JSONValue] = []
            for value in matches { apply(segment, to: value, root: root, into: &next) }
            matches = next
        }
        return .found(.array(matches))
    }

    /// A reference path's node, walked in place (``walkDefinite(_:count:from:)``): each step reads the next
    /// container where it lies (a pointer into its parent's storage), and only the node found is copied. Copying
    /// every value on the way was a retain and a release each, per segment. `segments` gives the path's segments
    /// for a miss.
    private static func lookupDefinite(
        _ path: UnsafePointer<JSONPath.Step>?, count: Int, in root: JSONValue, segments: () -> [JSONPath.Segment]
    ) -> Lookup {
        withUnsafePointer(to: root) { root in
            switch walkDefinite(path, count: count, from: root) {
            case .found(let node): return .found(node.pointee)
            case .missing(let position, let noResults):
                return .missing(Miss(segments: segments(), position: position, noResults: noResults))
            }
        }
    }

    /// Where a walk of a definite path ended.
    enum Walk {
        /// The node, in place (a pointer into the storage of the value walked).
        case found(UnsafePointer<JSONValue>)
        /// The segment at `position` found nothing; `noResults` as in ``Miss``.
        case missing(position: Int, noResults: Bool)
    }

    /// Walks `count` steps of a reference path at `path` from the value at `root`, in place: each step reads the
    /// next container where it lies, so nothing is copied and no reference count is touched.
    static func walkDefinite(_ path: UnsafePointer<JSONPath.Step>?, count: Int, from root: UnsafePointer<JSONValue>) -> Walk {
        var current = root
        // The hints' table, reached once per walk (each reach of the global checks its lazy initialisation).
        let hints = MemberHints.table
        for position in 0..<count {
            let step = path.unsafelyUnwrapped + position
            if step.pointee.isMember {
                // The name is read where it lies, and looked for first where this step found its member last.
                let hint = MemberHints.slot(for: step, in: hints)
                let last = hint.load(ordering: .relaxed)
                guard let (next, found) = JSONValue.unsafeMember(of: current, keyAt: JSONPath.Step.name(of: step), hint: last) else {
                    return .missing(position: position, noResults: position == count - 1)
                }
                if found != last { hint.store(found, ordering: .relaxed) }
                current = next
            } else {
                guard let next = element(step.pointee.index, of: current) else {
                    return .missing(position: position, noResults: position == count - 1 || current.pointee.arrayValue != nil)
                }
                current = next
            }
        }
        return .found(current)
    }

    /// The node that the reference path at `path` names in the value at `root`, in place (valid while that value
    /// lives unchanged), or nil when it names nothing.
    static func node(_ path: UnsafePointer<JSONPath>, in root: UnsafePointer<JSONValue>) -> UnsafePointer<JSONValue>? {
        precondition(path.pointee.isReferencePath)
        guard case .found(let node) = walkDefinite(path.pointee.steps._baseAddressIfContiguous,
                                                   count: path.pointee.steps.count, from: root) else { return nil }
        return node
    }

    /// Element `index` (negative: from the end) of the array at `value`, in place; nil when `value` is not an
    /// array or has no such element.
    static func element(_ index: Int, of value: UnsafePointer<JSONValue>) -> UnsafePointer<JSONValue>? {
        guard case .array = value.pointee else { return nil }
        let elements = UnsafeRawPointer(value).assumingMemoryBound(to: [JSONValue].self)
        let count = elements.pointee.count
        let resolved = index < 0 ? count + index : index
        guard UInt(bitPattern: resolved) < UInt(bitPattern: count), let base = elements.pointee._baseAddressIfContiguous else { return nil }
        return UnsafePointer(base + resolved)
    }

    /// Looks a whole path up, its root resolved by the caller.
    static func lookup(_ path: JSONPath, in root: JSONValue) -> Lookup {
        withUnsafePointer(to: path) { lookup($0, in: root) }
    }

    /// Looks up the path at `path` (in a program's memory), read in place: passing a path loaded from memory
    /// copies it, a retain and a release of its text, its root and its segments.
    static func lookup(_ path: UnsafePointer<JSONPath>, in root: JSONValue) -> Lookup {
        guard path.pointee.isReferencePath else { return lookupAll(path.pointee.segments, in: root) }
        return lookupDefinite(path.pointee.steps._baseAddressIfContiguous, count: path.pointee.steps.count, in: root) {
            path.pointee.segments
        }
    }

    private static func apply(_ segment: JSONPath.Segment, to value: JSONValue, root: JSONValue, into matches: inout [JSONValue]) {
        switch segment {
        case .member(let name):
            if case .object(let object) = value, let member = object[name] { matches.append(member) }
        case .members(let names):
            if case .object(let object) = value {
                for name in names { if let member = object[name] { matches.append(member) } }
            }
        case .index(let index):
            if case .array(let elements) = value {
                let resolved = index < 0 ? elements.count + index : index
                if elements.indices.contains(resolved) { matches.append(elements[resolved]) }
            }
        case .indexes(let indexes):
            if case .array(let elements) = value {
                for index in indexes {
                    let resolved = index < 0 ? elements.count + index : index
                    if elements.indices.contains(resolved) { matches.append(elements[resolved]) }
                }
            }
        case .wildcard:
            switch value {
            case .array(let elements): matches.append(contentsOf: elements)
            case .object(let object): matches.append(contentsOf: object.values)
            default: break
            }
        case .slice(let start, let end, let step):
            guard case .array(let elements) = value else { return }
            let count = elements.count
            let step = step ?? 1
            func clamp(_ bound: Int?, _ fallback: Int) -> Int {
                guard let bound else { return fallback }
                return bound < 0 ? max(count + bound, step > 0 ? 0 : -1) : min(bound, step > 0 ? count : count - 1)
            }
            if step > 0 {
                var index = clamp(start, 0)
                let stop = clamp(end, count)
                while index < stop {
                    matches.append(elements[index])
                    index += step
                }
            } else {
                var index = clamp(start, count - 1)
                let stop = clamp(end, -1)
                while index > stop {
                    if elements.indices.contains(index) { matches.append(elements[index]) }
                    index += step
                }
            }
        case .descendant(let inner):
            descend(value) { node in apply(inner, to: node, root: root, into: &matches) }
        case .filter(let expression):
            let candidates: [JSONValue]
            switch value {
            case .array(let elements): candidates = elements
            case .object(let object): candidates = object.values
            default: candidates = []
            }
            for candidate in candidates where holds(expression, current: candidate, root: root) {
                matches.append(candidate)
            }
        }
    }

    /// Visits `value` and every value below it, parents before children.
    private static func descend(_ value: JSONValue, _ visit: (JSONValue) -> Void) {
        visit(value)
        switch value {
        case .array(let elements): for element in elements { descend(element, visit) }
        case .object(let object): for member in object { descend(member.value, visit) }
        default: break
        }
    }

    // MARK: Filters

    static func holds(_ expression: FilterExpression, current: JSONValue, root: JSONValue) -> Bool {
        switch expression {
        case .and(let left, let right): return holds(left, current: current, root: root) && holds(right, current: current, root: root)
        case .or(let left, let right): return holds(left, current: current, root: root) || holds(right, current: current, root: root)
        case .not(let inner): return !holds(inner, current: current, root: root)
        case .exists(let operand):
            guard let value = resolve(operand, current: current, root: root) else { return false }
            if case .bool(let flag) = value { return flag }
            return true
        case .compare(let left, let comparison, let right):
            guard let lhs = resolve(left, current: current, root: root), let rhs = resolve(right, current: current, root: root) else {
                return comparison == .notEqual
            }
            return compare(lhs, comparison, rhs)
        }
    }

    /// The node that the reference segments `segments` (a filter's `@.a[0]`) name in `value`, walked by value:
    /// filters are rare beside the compiled paths, whose steps are walked in place.
    private static func member(_ segments: [JSONPath.Segment], of value: JSONValue) -> JSONValue? {
        var current = value
        for segment in segments {
            switch (segment, current) {
            case (.member(let name), .object(let object)):
                guard let next = object[name] else { return nil }
                current = next
            case (.index(let index), .array(let elements)):
                let resolved = index < 0 ? elements.count + index : index
                guard elements.indices.contains(resolved) else { return nil }
                current = elements[resolved]
            default:
                return nil
            }
        }
        return current
    }

    private static func resolve(_ operand: FilterOperand, current: JSONValue, root: JSONValue) -> JSONValue? {
        switch operand {
        case .literal(let value): return value
        case .current(let segments):
            guard JSONPath.isReference(segments) else {
                if case .found(let value) = lookupAll(segments, in: current) { return value }
                return nil
            }
            return member(segments, of: current)
        case .path(let path):
            if case .found(let value) = lookup(path, in: root) { return value }
            return nil
        }
    }

    private static func compare(_ lhs: JSONValue, _ comparison: FilterComparison, _ rhs: JSONValue) -> Bool {
        switch comparison {
        case .equal: return lhs == rhs
        case .notEqual: return lhs != rhs
        default: break
        }
        let order: Int
        if let a = lhs.numberValue, let b = rhs.numberValue {
            order = a < b ? -1 : (a > b ? 1 : 0)
        } else if case .string(let a) = lhs, case .string(let b) = rhs {
            order = a < b ? -1 : (a > b ? 1 : 0)
        } else {
            return false
        }
        switch comparison {
        case .lessThan: return order < 0
        case .lessThanOrEqual: return order <= 0
        case .greaterThan: return order > 0
        default: return order >= 0
        }
    }
}
