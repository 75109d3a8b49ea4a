/// A JSON value, as Step Functions passes it between states.
///
/// Objects keep their keys in document order (AWS preserves it in outputs), integers that fit in 64 bits stay
/// exact `Int64`s, and every other number is a finite `Double`.
///
/// Values are immutable trees of copy-on-write storage: copying a value, or handing one input to ten thousand Map
/// iterations, retains one reference and copies nothing. `QuickstepJSON.docc` records why the tree has this
/// shape and the measurements behind it.
///
/// Equality (`==`) follows JSON semantics rather than structure: object key order is ignored and numbers compare
/// by numeric value, so `1` equals `1.0`. Use ``canonicalText`` for a stable, diffable form.
@frozen
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// An integer that fits in 64 bits, kept exact.
    case int(Int64)
    /// Any other number; never NaN or infinite when produced by the parser.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

extension JSONValue {
    /// The JSON type name of the value as Step Functions words it in error causes
    /// (`null`, `boolean`, `number`, `string`, `array`, `object`).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Whether the value is `null`.
    @inlinable public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value as a `String`, or `nil` when it is not a string.
    @inlinable public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value as a `Bool`, or `nil` when it is not a boolean.
    @inlinable public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// The value as a `Double` when it is a number of either kind, or `nil`.
    @inlinable public var numberValue: Double? {
        switch self {
        case .int(let integer): Double(integer)
        case .double(let number): number
        default: nil
        }
    }

    /// The value as an `Int64` when it is an integer, or a `Double` with an exact integral value in range.
    @inlinable public var integerValue: Int64? {
        switch self {
        case .int(let integer): return integer
        case .double(let number): return Int64(exactly: number)
        default: return nil
        }
    }

    /// The elements, or `nil` when the value is not an array.
    @inlinable public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The object, or `nil` when the value is not an object.
    @inlinable public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The member `key` of an object; `nil` when the value is not an object or has no such member.
    ///
    /// - Complexity: O(1) for objects with many members (they carry a hash index), a short linear scan otherwise.
    @inlinable public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The element at `index` of an array; `nil` when the value is not an array or the index is out of range.
    @inlinable public subscript(index: Int) -> JSONValue? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    @inlinable public init(nilLiteral: ()) { self = .null }
    @inlinable public init(booleanLiteral value: Bool) { self = .bool(value) }
    @inlinable public init(integerLiteral value: Int64) { self = .int(value) }
    @inlinable public init(floatLiteral value: Double) { self = .double(value) }
    @inlinable public init(stringLiteral value: String) { self = .string(value) }
    @inlinable public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Builds an object whose members keep the literal's order; a repeated key keeps its first position and
    /// its last value, as JSON parsers (and AWS) do.
    @inlinable public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject(minimumCapacity: elements.count)
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

extension JSONValue: CustomStringConvertible, CustomDebugStringConvertible {
    /// The compact JSON text of the value.
    public var description: String { JSONSerializer.compactText(self) }
    public var debugDescription: String { "JSONValue(\(JSONSerializer.compactText(self)))" }
}

extension JSONValue {
    /// `count` nulls, as the results of a Map or Parallel state before its children report, allocated through the
    /// specialized path (``Swift/Array/withCapacity(_:)``).
    public static func nulls(count: Int) -> [JSONValue] {
        var nulls = [JSONValue].withCapacity(count)
        for _ in 0..<count { nulls.append(.null) }
        return nulls
    }
}
