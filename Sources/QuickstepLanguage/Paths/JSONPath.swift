import QuickstepJSON

/// A JSONPath expression as ASL allows it, parsed once when the definition loads.
///
/// A path starts at one of three roots: `$` (the data the field applies to), `$$` (the context object), or
/// `$name` (a variable). Then come segments in Jayway's syntax, which is what AWS implements: `.name`,
/// `['name']`, `[0]`, `[-1]`, `[1:5:2]`, `[*]`, `['a','b']`, `[0,2]`, `..name`, `[?(@.price < 10)]`.
///
/// A *reference path* (ResultPath, ItemsPath, the `*Path` fields) names at most one node: only member names and
/// indexes. ``isReferencePath`` says whether a parsed path is one.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// Where a path starts.
    public enum Root: Sendable, Hashable {
        /// `$`: the value the field applies to.
        case input
        /// `$$`: the context object.
        case context
        /// `$name`: a variable assigned with `Assign`.
        case variable(String)
    }

    /// One step of a path.
    ///
    /// Only `descendant` is boxed: the common segments are stored inline, so walking a path retains no box per
    /// segment (every segment was boxed, and a Choice rule's lookup paid a retain and a release for each).
    public enum Segment: Sendable, Hashable {
        /// `.name` or `['name']`.
        case member(String)
        /// `[n]`; a negative index counts from the end.
        case index(Int)
        /// `.*` or `[*]`: every member value or element.
        case wildcard
        /// `[start:end:step]`, Python-style bounds.
        case slice(start: Int?, end: Int?, step: Int?)
        /// `['a','b']`: several members.
        case members([String])
        /// `[0,2]`: several indexes.
        case indexes([Int])
        /// `..name`, `..*` or `..[n]`: the segment applied at every depth below.
        indirect case descendant(Segment)
        /// `[?(expression)]`: the elements (or member values) for which the filter holds.
        case filter(FilterExpression)
    }

    /// The text as written in the definition, for error messages.
    public let text: String
    public let root: Root
    public let segments: [Segment]
    /// Whether the path names at most one node: member names and single indexes only. Decided once here, as
    /// every lookup asks.
    public let isReferencePath: Bool
    /// A reference path's segments as ``Step``s, which a walk reads in place; empty for any other path.
    public let steps: [Step]

    /// One segment of a reference path, a member name or an index, as a plain struct: a walk reads the name where
    /// it lies (``Segment`` is an enum that keeps its case in its payloads' spare bits, so its name can only be
    /// copied out, a call to release it per segment walked).
    public struct Step: Sendable, Hashable {
        /// The member's name; empty for an index.
        public let name: String
        /// The index (negative: from the end); 0 for a member.
        public let index: Int
        public let isMember: Bool

        public init(name: String, index: Int, isMember: Bool) {
            self.name = name
            self.index = index
            self.isMember = isMember
        }
    }

    public init(text: String, root: Root, segments: [Segment]) {
        self.text = text
        self.root = root
        self.segments = segments
        isReferencePath = Self.isReference(segments)
        steps = isReferencePath ? segments.map { segment in
            switch segment {
            case .member(let name): Step(name: name, index: 0, isMember: true)
            case .index(let index): Step(name: "", index: index, isMember: false)
            default: preconditionFailure("a reference path has only members and indexes")
            }
        } : []
    }

    /// `$`: the whole input.
    public static let input = JSONPath(text: "$", root: .input, segments: [])

    /// Whether `segments` name at most one node: member names and single indexes only.
    public static func isReference(_ segments: [Segment]) -> Bool {
        segments.allSatisfy {
            switch $0 {
            case .member, .index: true
            default: false
            }
        }
    }

    /// Whether evaluating the path always yields one value (or none), never a list of matches.
    public var isSingular: Bool { isReferencePath }

    public var description: String { text }
}

/// The condition inside a filter segment, `[?( ... )]`.
public indirect enum FilterExpression: Sendable, Hashable {
    case and(FilterExpression, FilterExpression)
    case or(FilterExpression, FilterExpression)
    case not(FilterExpression)
    /// `@.a`: true when the operand exists (and, for a literal, is not false or null).
    case exists(FilterOperand)
    case compare(FilterOperand, FilterComparison, FilterOperand)
}

/// A comparison operator in a filter.
public enum FilterComparison: String, Sendable, Hashable, CaseIterable {
    case equal = "=="
    case notEqual = "!="
    case lessThan = "<"
    case lessThanOrEqual = "<="
    case greaterThan = ">"
    case greaterThanOrEqual = ">="
}

/// A value in a filter: a path from the current element (`@`), a path from the root, or a literal.
public enum FilterOperand: Sendable, Hashable {
    case current([JSONPath.Segment])
    case path(JSONPath)
    case literal(JSONValue)
}
