import Testing
@testable import QuickstepJSON

/// `JSONValue.twoCopies()` counts both copies of an object with one increment of its block's reference count: the
/// copies must share the block, and the count must come out exact, neither high (the last copy left would copy
/// its block at its first change, and the block would leak) nor low (the block would be freed under a copy).
@Suite struct JSONValueCopiesTests {
    /// The address of an object value's block, to see whether a change kept it.
    private static func block(of value: JSONValue) -> UnsafeMutableRawPointer? {
        guard case .object(let object) = value else { return nil }
        return Unmanaged.passUnretained(object.members.storage).toOpaque()
    }

    @Test func copiesOfAnObjectShareItsBlockAndCountExactly() {
        var original: JSONValue = .object(JSONObject(["a": 1, "b": "a string longer than fifteen bytes"]))
        var (first, second) = original.twoCopies()
        #expect(first == original && second == original)
        #expect(Self.block(of: first) == Self.block(of: original) && Self.block(of: second) == Self.block(of: original))
        // Three holders: a change to one copy copies the block, and leaves the others as they were.
        first.setMember("a", "changed")
        #expect(Self.block(of: first) != Self.block(of: original))
        #expect(second == original && second["a"] == 1)
        // The original and `second` are the block's last two holders: once the original is gone, `second` holds it
        // alone (the count is exact) and changes it in place.
        let block = Self.block(of: second)
        original = .null
        second.setMember("a", 2)
        #expect(Self.block(of: second) == block)
        #expect(second["a"] == 2 && first["a"] == "changed")
    }

    /// Freed, the copies release the block and its members exactly once: an array held only by the object is its
    /// holder's alone again afterwards (a member retained too often would make the array's next change copy it).
    @Test func copiesReleaseTheBlockOnce() {
        var array: [JSONValue] = [1, 2, 3]
        let arrayBlock = array.withUnsafeBufferPointer { $0.baseAddress }
        do {
            let value: JSONValue = .object(JSONObject(["items": .array(array)]))
            let (first, second) = value.twoCopies()
            #expect(first["items"] == .array(array) && second["items"] == .array(array))
        }
        array[0] = 9
        #expect(array.withUnsafeBufferPointer { $0.baseAddress } == arrayBlock)
    }

    /// Values that are not objects (and objects large enough to keep a key index) are copied as any value is.
    @Test func otherValuesAreCopiedAsTheyAre() {
        let large = JSONObject((0..<64).map { ("key \($0)", JSONValue.int(Int64($0))) })
        let values: [JSONValue] = [.null, true, 7, 2.5, "text", "a string longer than fifteen bytes", [1, "two"], .object(large)]
        for value in values {
            let (first, second) = value.twoCopies()
            #expect(first == value && second == value)
        }
    }
}

extension JSONValue {
    /// Sets member `key` of an object value, changing its block in place when the value holds it alone (the value
    /// is emptied first, so that the object taken out is its only holder).
    fileprivate mutating func setMember(_ key: String, _ member: JSONValue) {
        guard case .object(var object) = self else { return }
        self = .null
        object[key] = member
        self = .object(object)
    }
}
