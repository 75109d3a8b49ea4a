// Equality and hashing with JSON semantics: object key order is ignored and numbers compare by value.

extension JSONValue: Equatable {
    /// Whether two values are the same JSON value: objects with the same members in any order, arrays with equal
    /// elements in the same order, numbers with the same numeric value (`1 == 1.0`), equal strings and literals.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Self.integer(a, equals: b)
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }

    /// Exact comparison of an integer with a double: converting the integer to `Double` would round
    /// integers above 2^53 and call unequal numbers equal.
    @usableFromInline static func integer(_ integer: Int64, equals number: Double) -> Bool {
        guard let exact = Int64(exactly: number) else { return false }
        return exact == integer
    }
}

extension JSONObject: Equatable {
    /// Whether both objects have the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for member in lhs.members {
            guard let other = rhs[member.key], other == member.value else { return false }
        }
        return true
    }
}

extension JSONValue: Hashable {
    /// Hashes consistently with `==`: an integral `Double` hashes as the integer it equals, and an object's
    /// members are combined in an order-independent way.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null:
            hasher.combine(0 as UInt8)
        case .bool(let flag):
            hasher.combine(1 as UInt8)
            hasher.combine(flag)
        case .int(let integer):
            hasher.combine(2 as UInt8)
            hasher.combine(integer)
        case .double(let number):
            if let integer = Int64(exactly: number) {
                hasher.combine(2 as UInt8)
                hasher.combine(integer)
            } else {
                hasher.combine(3 as UInt8)
                hasher.combine(number)
            }
        case .string(let text):
            hasher.combine(4 as UInt8)
            hasher.combine(text)
        case .array(let elements):
            hasher.combine(5 as UInt8)
            hasher.combine(elements)
        case .object(let object):
            hasher.combine(6 as UInt8)
            hasher.combine(object)
        }
    }
}

extension JSONObject: Hashable {
    public func hash(into hasher: inout Hasher) {
        // Members hash independently and combine with a commutative sum, so order does not matter.
        var combined = 0
        for member in members {
            var memberHasher = Hasher()
            memberHasher.combine(member.key)
            memberHasher.combine(member.value)
            combined &+= memberHasher.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(combined)
    }
}

extension JSONValue {
    /// Whether the two values are one and the same container (the same array or object storage, so necessarily
    /// equal): a constant-time check that lets a caller skip work already done on the other value, such as a size
    /// check. False for scalars and for equal containers stored apart.
    ///
    /// Each side is matched on its own: switching over the pair `(self, other)` copied both values into a tuple, a
    /// retain and a release of each container per call.
    public func isSameContainer(as other: JSONValue) -> Bool {
        switch self {
        case .array(let left):
            guard case .array(let right) = other, !left.isEmpty else { return false }
            return left.withUnsafeBufferPointer { l in right.withUnsafeBufferPointer { r in l.baseAddress == r.baseAddress && l.count == r.count } }
        case .object(let left):
            guard case .object(let right) = other else { return false }
            return left.members.sharesStorage(with: right.members)
        default:
            return false
        }
    }
}
